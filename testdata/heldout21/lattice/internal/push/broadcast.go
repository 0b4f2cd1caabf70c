package push

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/lattice/internal/platform/cfkv"
)

// Message is a notification to deliver.
type Message struct {
	Title string
	Body  string
	Data  map[string]string
}

// Sender delivers to one provider.
type Sender interface {
	Platform() Platform
	Send(ctx context.Context, token string, m Message) error
}

// Result is the outcome of one delivery.
type Result struct {
	Install InstallID
	Err     error
}

// Broadcaster reads tokens straight from the namespace to fan a message out.
type Broadcaster struct {
	t       cfkv.Target
	senders map[Platform]Sender
	sent    atomic.Int64
	failed  atomic.Int64
	events  chan<- Result
}

// NewBroadcaster wires a Broadcaster. events may be nil; it is written to
// without blocking.
func NewBroadcaster(t cfkv.Target, events chan<- Result, senders ...Sender) *Broadcaster {
	b := &Broadcaster{t: t, events: events, senders: make(map[Platform]Sender)}
	for _, s := range senders {
		b.senders[s.Platform()] = s
	}
	return b
}

// Broadcast sends m to every registered install.
func (b *Broadcaster) Broadcast(ctx context.Context, m Message) (sent, failed int64, err error) {
	page, err := b.t.Client.KV.Namespaces.Keys.List(ctx, b.t.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(b.t.AccountID),
		Prefix:    cloudflare.F("push:install:"),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return 0, 0, err
	}
	for _, k := range page.Result {
		md, _ := k.Metadata.(map[string]any)
		p, _ := md["platform"].(string)
		tok, _ := md["token"].(string)
		sender, ok := b.senders[Platform(p)]
		if !ok || tok == "" {
			continue
		}
		r := Result{Install: InstallID(strings.TrimPrefix(k.Name, "push:install:")), Err: sender.Send(ctx, tok, m)}
		if r.Err != nil {
			failed++
			b.failed.Add(1)
		} else {
			sent++
			b.sent.Add(1)
		}
		select {
		case b.events <- r:
		default:
		}
	}
	return sent, failed, nil
}

// Tokens resolves the push tokens of specific installs, in batches the bulk
// endpoint accepts.
func (b *Broadcaster) Tokens(ctx context.Context, ids []InstallID) (map[InstallID]string, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = deviceKey(id)
	}
	out := make(map[InstallID]string, len(ids))
	for batch := range slices.Chunk(keys, 100) {
		res, err := b.t.Client.KV.Namespaces.BulkGet(ctx, b.t.NamespaceID, kv.NamespaceBulkGetParams{
			AccountID:    cloudflare.F(b.t.AccountID),
			Keys:         cloudflare.F(batch),
			WithMetadata: cloudflare.F(true),
		})
		if err != nil {
			return nil, err
		}
		if err := collectTokens(res, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DigestTokens resolves tokens for the nightly schedule digest. The digest
// job hands over installs in its own fixed-size pages.
func (b *Broadcaster) DigestTokens(ctx context.Context, ids []InstallID) (map[InstallID]string, error) {
	const digestPage = 250
	out := make(map[InstallID]string, len(ids))
	for batch := range slices.Chunk(ids, digestPage) {
		keys := make([]string, 0, digestPage)
		for _, id := range batch {
			keys = append(keys, deviceKey(id))
		}
		res, err := b.t.Client.KV.Namespaces.BulkGet(ctx, b.t.NamespaceID, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
			AccountID:    cloudflare.F(b.t.AccountID),
			Keys:         cloudflare.F(keys),
			WithMetadata: cloudflare.F(true),
		})
		if err != nil {
			return nil, err
		}
		if err := collectTokens(res, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func collectTokens(res *kv.NamespaceBulkGetResponse, out map[InstallID]string) error {
	switch u := res.AsUnion().(type) {
	case kv.NamespaceBulkGetResponseWorkersKVBulkGetResultWithMetadata:
		for key, v := range u.Values {
			md, _ := v.Metadata.(map[string]any)
			if tok, ok := md["token"].(string); ok {
				out[InstallID(strings.TrimPrefix(key, "push:install:"))] = tok
			}
		}
	case kv.NamespaceBulkGetResponseWorkersKVBulkGetResult:
		for key, v := range u.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[InstallID(strings.TrimPrefix(key, "push:install:"))] = string(s)
			}
		}
	default:
		return fmt.Errorf("push: unexpected bulk response %T", u)
	}
	return nil
}
