//go:build js && wasm

package cronjobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/ledger/giftcard"
	"example.com/ledger/internal/storage"
)

// Manifest lists the files written by the last nightly export.
type Manifest struct {
	RunAt time.Time `json:"run_at"`
	Full  bool      `json:"full"`
	Files []string  `json:"files"`
}

// Key returns the manifest key. There is one manifest, at the root.
func (Manifest) Key() string {
	return "." // EXPECT kvlimits
}

// exportAccounts snapshots every account key for the accounting sync.
func (j *Runner) exportAccounts(ctx context.Context) (int, error) {
	var sb strings.Builder
	n := 0
	for key, err := range storage.Keys(ctx, j.store, string(consts.PrefixAccount)+":") { // EXPECT kvlist
		if err != nil {
			return n, err
		}
		sb.WriteString(key)
		sb.WriteByte('\n')
		n++
	}
	name := "export:accounts:" + time.Now().UTC().Format("20060102")
	return n, j.store.Put(ctx, name, sb.String(), storage.WithTTL(7*24*time.Hour))
}

// exportCards writes card keys in chunks and records a manifest.
func (j *Runner) exportCards(ctx context.Context) (int, error) {
	last, err := j.cache.Peek(consts.KeyLastExport)
	if err != nil {
		return 0, err
	}
	full := false
	if strings.TrimSpace(last) == "" { // EXPECT kvnull
		full = true
	}
	m := Manifest{RunAt: time.Now().UTC(), Full: full}
	q := storage.ListQuery{
		Prefix: string(consts.PrefixCard) + ":",
		Limit:  consts.ExportPageSize, // EXPECT kvlimits
	}
	n := 0
	for page := 0; page < consts.MaxSweepPages; page++ {
		p, err := j.store.List(ctx, q)
		if err != nil {
			return n, err
		}
		name := fmt.Sprintf("export:cards:%s:%03d", m.RunAt.Format("20060102"), page)
		if err := j.store.Put(ctx, name, strings.Join(p.Keys, "\n"), storage.WithTTL(7*24*time.Hour)); err != nil {
			return n, err
		}
		m.Files = append(m.Files, name)
		n += len(p.Keys)
		if p.Complete {
			break
		}
		q.Cursor = p.Cursor
	}
	if err := j.manifests.Save(ctx, m); err != nil {
		return n, err
	}
	return n, j.cache.Set(ctx, consts.KeyLastExport, m.RunAt.Format(time.RFC3339), 8*24*time.Hour)
}

// lowBalanceDigest logs cards that are nearly drained so shops can remind
// their customers.
func (j *Runner) lowBalanceDigest(ctx context.Context) (int, error) {
	res, err := j.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: string(consts.PrefixCard) + ":", Limit: 1000})
	if err != nil {
		return 0, err
	}
	low := 0
	for _, k := range res.Keys {
		v, err := j.kv.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || v == nullText {
			continue
		}
		var c giftcard.Card
		if json.Unmarshal([]byte(v), &c) != nil {
			continue
		}
		if c.Status == giftcard.Active && c.Balance > 0 && c.Balance < c.Initial/10 {
			j.log.Info("low balance", "shop", c.ShopID, "card", c.Code[len(c.Code)-4:], "balance", c.Balance.String())
			low++
		}
	}
	if !res.ListComplete {
		j.log.Info("digest covered the first page only", "next", res.Cursor)
	}
	return low, nil
}
