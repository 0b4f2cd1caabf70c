//go:build !js

package backend

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
	"firecrest/internal/restkv"
)

const (
	exportPages    = 20
	exportPageSize = 1000
	exportKeep     = 7 * 24 * 60 * 60
)

// ExportProofs writes yesterday's proof metadata as newline-delimited JSON
// into one KV value per zone-day, picking up where the last run stopped.
func ExportProofs(ctx context.Context, env *Env) error {
	day := time.Now().UTC().AddDate(0, 0, -1)
	prefix := kvkeys.ProofPrefix

	cursor := ""
	rc, err := env.Proofs.Get(ctx, kvkeys.ExportCursorKey)
	var nf *courier.NotFoundError
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return err
	default:
		b, _ := io.ReadAll(rc)
		rc.Close()
		cursor = strings.TrimSpace(string(b))
	}

	pr, pw := io.Pipe()
	exportKey := fmt.Sprintf("%sexport:%s", kvkeys.ProofPrefix, day.Format("20060102"))
	written := make(chan int, 1)
	go func() {
		enc := json.NewEncoder(pw)
		n := 0
		defer func() { written <- n }()
	pages:
		for page := 0; page < exportPages; page++ {
			kp, err := env.Proofs.ListKeys(ctx, prefix, cursor, exportPageSize)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			for _, k := range kp.Keys {
				if strings.Contains(k.Name, ":export:") || strings.Contains(k.Name, ":pending:") {
					continue
				}
				body, err := env.Proofs.Get(ctx, k.Name) // EXPECT kvlist
				if err != nil {
					if errors.As(err, &nf) {
						continue
					}
					pw.CloseWithError(err)
					return
				}
				var p courier.Proof
				err = json.NewDecoder(body).Decode(&p)
				body.Close()
				if err != nil {
					continue
				}
				if err := enc.Encode(p); err != nil {
					pw.CloseWithError(err)
					return
				}
				n++
			}
			cursor = kp.Cursor
			if err := env.Proofs.Put(ctx, kvkeys.ExportCursorKey, strings.NewReader(cursor), restkv.WriteOpts{}); err != nil { // EXPECT kvhotkey
				pw.CloseWithError(err)
				return
			}
			if cursor == "" {
				break pages
			}
		}
		pw.Close()
	}()

	tries := 0
retry:
	err = env.Proofs.Put(ctx, exportKey, pr, restkv.WriteOpts{
		Expiration: time.Now().Add(7 * 24 * time.Hour).UnixMilli(), // EXPECT kvttl
	})
	var se *restkv.StatusError
	if errors.As(err, &se) && se.Retryable() && tries < 2 {
		tries++
		time.Sleep(time.Second << tries)
		goto retry
	}
	if err != nil {
		return err
	}
	n := <-written

	// Read it back and count lines, to catch truncated uploads.
	body, err := env.Proofs.Get(ctx, exportKey)
	if err != nil {
		return err
	}
	defer body.Close()
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if lines != n {
		return fmt.Errorf("export %s: wrote %d proofs, read back %d", exportKey, n, lines)
	}
	log.Printf("export: %d proofs into %s", n, exportKey)
	return nil
}

// PruneExports removes export values older than the retention window.
func PruneExports(ctx context.Context, env *Env) error {
	cutoff := time.Now().UTC().AddDate(0, 0, -30).Format("20060102")
	prefix := kvkeys.ProofPrefix + "export:"
	cursor := ""
	for page := 0; page < exportPages; page++ {
		var kp *restkv.KeyPage
		var err error
		if cursor == "" {
			kp, err = env.Proofs.ListKeys(ctx, prefix, "", exportPageSize)
		} else {
			kp, err = env.Proofs.ListKeys(ctx, "", cursor, exportPageSize) // EXPECT kvlist
		}
		if err != nil {
			return err
		}
		for _, k := range kp.Keys {
			if strings.TrimPrefix(k.Name, prefix) < cutoff {
				if err := env.Proofs.Delete(ctx, k.Name); err != nil {
					return err
				}
			}
		}
		if kp.Cursor == "" {
			return nil
		}
		cursor = kp.Cursor
	}
	return nil
}

// SampleProofs logs a handful of recent proof keys for the QA review.
func SampleProofs(ctx context.Context, env *Env, zone string) ([]string, error) {
	kp, err := env.Proofs.ListKeys(ctx, kvkeys.ProofPrefix+zone+"/", "",
		5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(kp.Keys))
	for _, k := range kp.Keys {
		out = append(out, k.Name)
	}
	if kp.Cursor != "" {
		log.Printf("sample %s: more proofs available", zone)
	}
	return out, nil
}
