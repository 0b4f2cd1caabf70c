//go:build js && wasm

package audience

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"merlin/internal/config"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
)

// AnswerGate limits how many answers a device may send per window, so that
// a script cannot brute-force a question.
type AnswerGate struct {
	store kvstore.Store
	keys  keys.KeyScheme
	cfg   *config.Holder
}

// NewAnswerGate returns a gate over store.
func NewAnswerGate(store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder) *AnswerGate {
	return &AnswerGate{store: store, keys: ks, cfg: cfg}
}

// Allow records one answer and reports whether it is within the limit.
func (g *AnswerGate) Allow(ctx context.Context, quizID, deviceID string) (bool, error) {
	cfg := g.cfg.Load()
	ns, err := g.store.Namespace()
	if err != nil {
		return false, err
	}
	key := g.store.Key(g.keys.AnswerWindow(quizID, deviceID))
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	used := 0
	if raw != "<null>" {
		if used, err = strconv.Atoi(raw); err != nil {
			return false, fmt.Errorf("answer window %s: %w", key, err)
		}
	}
	if used >= cfg.MaxAnswersPerWindow {
		return false, nil
	}
	window := cfg.AnswerWindow
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	if err := ns.PutString(key, strconv.Itoa(used+1), opts); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return true, nil
}
