package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/quill/internal/cfkv"
	"example.com/quill/internal/keys"
)

// TailEvent is the subset of a Workers trace event that Quill looks at.
type TailEvent struct {
	ScriptName     string `json:"scriptName"`
	Outcome        string `json:"outcome"`
	EventTimestamp int64  `json:"eventTimestamp"` // milliseconds
	Exceptions     []struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	} `json:"exceptions"`
}

func (e TailEvent) failed() bool { return e.Outcome == "exception" || len(e.Exceptions) > 0 }

// TailHandler keeps per-script error tallies for the ops dashboard.
type TailHandler struct {
	cf                   *cloudflare.Client
	accountID, namespace string
}

// NewTailHandler returns a TailHandler writing to namespace.
func NewTailHandler(cf *cloudflare.Client, accountID, namespace string) *TailHandler {
	return &TailHandler{cf: cf, accountID: accountID, namespace: namespace}
}

// Handle processes one batch of trace events.
func (t *TailHandler) Handle(ctx context.Context, events []TailEvent) error {
	day := now().UTC().Format("2006-01-02")
	perScript := map[string]int{}
	var errs []error
	for _, ev := range events {
		if !ev.failed() {
			continue
		}
		perScript[ev.ScriptName]++
		msg := ev.Outcome
		if len(ev.Exceptions) > 0 {
			msg = ev.Exceptions[0].Name + ": " + ev.Exceptions[0].Message
		}
		b, _ := json.Marshal(map[string]any{"script": ev.ScriptName, "message": msg, "at": ev.EventTimestamp})
		_, err := t.cf.KV.Namespaces.Values.Update(ctx, t.namespace, keys.TailLastException, kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(t.accountID),
			Value:     cloudflare.F(string(b)),
		})
		if err != nil {
			errs = append(errs, err)
		}
		sample := keys.Join("tail", "sample", ev.ScriptName, strconv.FormatInt(ev.EventTimestamp, 10))
		_, err = t.cf.KV.Namespaces.Values.Update(ctx, t.namespace, sample, kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(t.accountID),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F((72 * time.Hour).Seconds()),
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	for script, n := range perScript {
		key := keys.Join("tail", "errors", script, day)
		cur, err := t.read(ctx, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_, err = t.cf.KV.Namespaces.Values.Update(ctx, t.namespace, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
			AccountID:     cloudflare.F(t.accountID),
			Value:         cloudflare.F(strconv.Itoa(cur + n)),
			ExpirationTTL: cloudflare.F((8 * 24 * time.Hour).Seconds()),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("tail: %s: %w", key, err))
		}
	}
	return errors.Join(errs...)
}

func (t *TailHandler) read(ctx context.Context, key string) (int, error) {
	resp, err := t.cf.KV.Namespaces.Values.Get(ctx, t.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(t.accountID),
	})
	if cfkv.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(raw)))
}
