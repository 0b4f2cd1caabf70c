// Package ledger keeps per-holder ERC-20 balances and activity feeds in KV.
package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/mohua-labs/mohua/internal/chain"
	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/kvrest"
	"github.com/mohua-labs/mohua/internal/rx"
)

// Journaler records keys written for a block.
type Journaler interface {
	Journal(ctx context.Context, block uint64, keys ...string) error
}

// BalanceReader reads balances from the chain.
type BalanceReader interface {
	BalanceOf(ctx context.Context, contract, holder string) (*big.Int, error)
}

// Ledger updates balances from transfers.
type Ledger struct {
	store   *kvrest.Store
	ns      kvrest.Namespace
	journal Journaler
	rpc     BalanceReader
	bus     *events.Registry
}

// New returns a Ledger.
func New(store *kvrest.Store, ns kvrest.Namespace, j Journaler, rpc BalanceReader, bus *events.Registry) *Ledger {
	return &Ledger{store: store, ns: ns, journal: j, rpc: rpc, bus: bus}
}

// BalanceKey is the key of one holder's balance of one token.
func BalanceKey(chainID uint64, contract, holder string) string {
	return fmt.Sprintf("bal:%d:%s:%s", chainID, strings.ToLower(holder), strings.ToLower(contract))
}

func holderCountKey(chainID uint64, contract string) string {
	return fmt.Sprintf("holders:%d:%s", chainID, contract)
}

// Register subscribes the ledger to the transfer topic.
func (l *Ledger) Register() {
	l.bus.Transfers.Subscribe(func(t events.Transfer) {
		if t.Event.IsNFT() {
			return
		}
		if err := l.apply(t); err != nil {
			slog.Error("ledger apply", "tx", t.Event.Raw.TxHash.Hex(), "err", err)
		}
	})
}

func (l *Ledger) apply(t events.Transfer) error {
	ctx := t.Ctx
	contract := t.Contract.Hex()
	var zero chain.Address
	var touched []string
	if t.Event.From != zero {
		k := BalanceKey(t.ChainID, contract, t.Event.From.Hex())
		if _, err := l.addDelta(ctx, k, new(big.Int).Neg(t.Event.Value)); err != nil {
			return err
		}
		touched = append(touched, k)
	}
	if t.Event.To != zero {
		k := BalanceKey(t.ChainID, contract, t.Event.To.Hex())
		prev, err := l.addDelta(ctx, k, t.Event.Value)
		if err != nil {
			return err
		}
		touched = append(touched, k)
		if prev.Sign() == 0 {
			if err := l.bumpHolders(ctx, t.ChainID, contract); err != nil {
				return err
			}
		}
		l.bus.BalanceChanged.Publish(events.BalanceChanged{ChainID: t.ChainID, Contract: contract, Holder: t.Event.To.Hex(), Delta: t.Event.Value, TxHash: t.Event.Raw.TxHash.Hex()})
	}
	return l.journal.Journal(ctx, t.Event.Raw.BlockNumber, touched...)
}

// addDelta adds delta to the stored balance and returns the previous balance.
func (l *Ledger) addDelta(ctx context.Context, key string, delta *big.Int) (*big.Int, error) {
	prev := new(big.Int)
	raw, err := l.store.Get(ctx, l.ns, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	if err == nil {
		if _, ok := prev.SetString(string(raw), 10); !ok {
			return nil, fmt.Errorf("corrupt balance at %s", key)
		}
	}
	next := new(big.Int).Add(prev, delta)
	return prev, l.store.Put(ctx, l.ns, key, []byte(next.String())) // EXPECT kvrace
}

func (l *Ledger) bumpHolders(ctx context.Context, chainID uint64, contract string) error {
	key := holderCountKey(chainID, contract)
	raw, err := l.store.Get(ctx, l.ns, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	n, _ := strconv.Atoi(string(raw))
	return l.store.Put(ctx, l.ns, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter|kvrace
}

// Balance returns a holder's balance, reading through to the chain when the
// holder has not been indexed yet.
func (l *Ledger) Balance(ctx context.Context, chainID uint64, contract, holder string) (*big.Int, error) {
	key := BalanceKey(chainID, contract, holder)
	raw, err := l.store.Get(ctx, l.ns, key)
	if err == nil {
		v, ok := new(big.Int).SetString(string(raw), 10)
		if !ok {
			return nil, fmt.Errorf("corrupt balance at %s", key)
		}
		return v, nil
	}
	if !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	v, err := l.rpc.BalanceOf(ctx, contract, holder)
	if err != nil {
		return nil, err
	}
	return v, l.store.PutCached(ctx, l.ns, key, []byte(v.String()), 10*time.Minute)
}

// activity is the last-activity record shown on the wallet screen.
type activity struct {
	Holder   string    `json:"holder"`
	Contract string    `json:"contract"`
	TxHash   string    `json:"tx"`
	Block    uint64    `json:"block"`
	Seen     time.Time `json:"seen"`
}

// StreamActivity writes the latest activity of every holder in batches.
func (l *Ledger) StreamActivity(ctx context.Context) <-chan struct{} {
	transfers := rx.FromChannel(l.bus.Transfers.Chan(1024))
	acts := rx.FlatMap(transfers, func(t events.Transfer) rx.Observable[activity] {
		base := activity{Contract: t.Contract.Hex(), TxHash: t.Event.Raw.TxHash.Hex(), Block: t.Event.Raw.BlockNumber, Seen: time.Now()}
		from, to := base, base
		from.Holder, to.Holder = t.Event.From.Hex(), t.Event.To.Hex()
		return rx.Just(from, to)
	})
	batches := rx.BufferWithTimeOrCount(acts, 2*time.Second, 500)
	return batches.ForEach(ctx, func(batch []activity) {
		latest := make(map[string]activity, len(batch))
		for _, a := range batch {
			latest[a.Holder] = a
		}
		entries := make([]kvrest.Entry, 0, len(latest))
		for holder, a := range latest {
			buf, _ := json.Marshal(a)
			entries = append(entries, kvrest.Entry{Key: "activity:" + strings.ToLower(holder), Value: buf, TTL: 30 * 24 * time.Hour})
		}
		if err := l.store.BulkPut(ctx, l.ns, entries); err != nil {
			slog.Error("activity flush", "err", err)
		}
	}, func(err error) { slog.Error("activity stream", "err", err) }, nil)
}

// AppendFeed adds a human-readable line to a holder's feed.
func (l *Ledger) AppendFeed(ctx context.Context, holder, line string) error {
	key := "feed:" + strings.ToLower(holder)
	old, err := l.store.Get(ctx, l.ns, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	feed := string(old) + time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	if len(feed) > 64<<10 {
		feed = feed[len(feed)-64<<10:]
	}
	return l.store.PutTTL(ctx, l.ns, key, []byte(feed), 7*24*time.Hour) // EXPECT kvrace
}
