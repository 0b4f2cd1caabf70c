// Package nft tracks ERC-721 ownership.
package nft

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/mohua-labs/mohua/internal/chain"
	"github.com/mohua-labs/mohua/internal/events"
	"github.com/mohua-labs/mohua/internal/kvrest"
)

// erc721ABI is stored next to each collection so the edge can decode calls.
const erc721ABI = `[{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"tokenId","type":"uint256","indexed":true}]},{"type":"event","name":"Approval","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"approved","type":"address","indexed":true},{"name":"tokenId","type":"uint256","indexed":true}]},{"type":"event","name":"ApprovalForAll","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"operator","type":"address","indexed":true},{"name":"approved","type":"bool","indexed":false}]},{"type":"function","name":"ownerOf","stateMutability":"view","inputs":[{"name":"tokenId","type":"uint256"}],"outputs":[{"name":"","type":"address"}]},{"type":"function","name":"balanceOf","stateMutability":"view","inputs":[{"name":"owner","type":"address"}],"outputs":[{"name":"","type":"uint256"}]},{"type":"function","name":"tokenURI","stateMutability":"view","inputs":[{"name":"tokenId","type":"uint256"}],"outputs":[{"name":"","type":"string"}]},{"type":"function","name":"safeTransferFrom","stateMutability":"nonpayable","inputs":[{"name":"from","type":"address"},{"name":"to","type":"address"},{"name":"tokenId","type":"uint256"}],"outputs":[]},{"type":"function","name":"setApprovalForAll","stateMutability":"nonpayable","inputs":[{"name":"operator","type":"address"},{"name":"approved","type":"bool"}],"outputs":[]}]`

// Tracker keeps owner and holdings records.
type Tracker struct {
	store   *kvrest.Store
	ns      kvrest.Namespace
	bus     *events.Registry
	journal interface {
		Journal(ctx context.Context, block uint64, keys ...string) error
	}
}

// NewTracker returns a Tracker.
func NewTracker(store *kvrest.Store, ns kvrest.Namespace, bus *events.Registry, j interface {
	Journal(ctx context.Context, block uint64, keys ...string) error
}) *Tracker {
	return &Tracker{store: store, ns: ns, bus: bus, journal: j}
}

func ownerKey(chainID uint64, contract, id string) string {
	return fmt.Sprintf("owner:%d:%s:%s", chainID, strings.ToLower(contract), id)
}

func ownedKey(chainID uint64, holder string) string {
	return fmt.Sprintf("owned:%d:%s", chainID, strings.ToLower(holder))
}

// Register subscribes the tracker to transfers.
func (t *Tracker) Register() {
	t.bus.Transfers.Subscribe(func(ev events.Transfer) {
		if !ev.Event.IsNFT() {
			return
		}
		if err := t.move(ev); err != nil {
			slog.Error("nft move", "tx", ev.Event.Raw.TxHash.Hex(), "err", err)
		}
	})
}

func (t *Tracker) move(ev events.Transfer) error {
	ctx := ev.Ctx
	contract := ev.Contract.Hex()
	id := ev.Event.TokenId.String()
	ok := ownerKey(ev.ChainID, contract, id)
	if err := t.store.Put(ctx, t.ns, ok, []byte(ev.Event.To.Hex())); err != nil {
		return err
	}
	item := contract + "/" + id
	var zero chain.Address
	touched := []string{ok}
	if ev.Event.From != zero {
		k := ownedKey(ev.ChainID, ev.Event.From.Hex())
		if err := t.updateOwned(ctx, k, func(items []string) []string {
			return slices.DeleteFunc(items, func(s string) bool { return s == item })
		}); err != nil {
			return err
		}
		touched = append(touched, k)
	}
	if ev.Event.To != zero {
		k := ownedKey(ev.ChainID, ev.Event.To.Hex())
		if err := t.updateOwned(ctx, k, func(items []string) []string { return append(items, item) }); err != nil {
			return err
		}
		touched = append(touched, k)
	}
	t.bus.MetadataStale.Publish(events.MetadataStale{ChainID: ev.ChainID, Contract: contract, TokenID: id})
	return t.journal.Journal(ctx, ev.Event.Raw.BlockNumber, touched...)
}

func (t *Tracker) updateOwned(ctx context.Context, key string, change func([]string) []string) error {
	var items []string
	raw, err := t.store.Get(ctx, t.ns, key) // EXPECT kvnull
	if err != nil {
		raw = []byte("[]")
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return err
	}
	items = change(items)
	buf, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return t.store.Put(ctx, t.ns, key, buf) // EXPECT kvrace
}

// Owner returns the current owner of a token.
func (t *Tracker) Owner(ctx context.Context, chainID uint64, contract, id string) (string, bool, error) {
	raw, err := t.store.Get(ctx, t.ns, ownerKey(chainID, contract, id))
	if err != nil {
		if err == kvrest.ErrNotFound {
			return "", false, nil
		}
		return "", false, err
	}
	return string(raw), true, nil
}

// Collection describes a tracked ERC-721 contract.
type Collection struct {
	ChainID   uint64
	Contract  string
	Name      string
	MaxSupply int
}

// RegisterCollection stores the collection descriptor with its ABI in the key metadata.
func (t *Tracker) RegisterCollection(ctx context.Context, c Collection) error {
	buf, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = t.store.Client().KV.Namespaces.Bulk.Update(ctx, string(t.ns), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(t.store.AccountID()),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:      cloudflare.F(fmt.Sprintf("collection:%d:%s", c.ChainID, strings.ToLower(c.Contract))),
			Value:    cloudflare.F(string(buf)),
			Metadata: cloudflare.F(map[string]any{"name": c.Name, "abi": erc721ABI}), // EXPECT kvlimits
		}},
	})
	return err
}

// genesisSupply is the fixed supply of the launch collection.
const genesisSupply = 20_000

// SeedGenesis writes an unminted placeholder for every token of the launch
// collection so that the edge can tell "unminted" from "unknown".
func (t *Tracker) SeedGenesis(ctx context.Context, chainID uint64, contract string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, genesisSupply)
	for id := range genesisSupply {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(ownerKey(chainID, contract, fmt.Sprint(id))),
			Value: cloudflare.F("unminted"),
		})
	}
	_, err := t.store.Client().KV.Namespaces.Bulk.Update(ctx, string(t.ns), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(t.store.AccountID()),
		Body:      body,
	})
	return err
}

// SeedTraits writes trait records for a collection, chunked by the bulk limit.
func (t *Tracker) SeedTraits(ctx context.Context, chainID uint64, contract string, traits map[string]json.RawMessage) error {
	entries := make([]kvrest.Entry, 0, len(traits))
	for id, tr := range traits {
		entries = append(entries, kvrest.Entry{
			Key:      fmt.Sprintf("traits:%d:%s:%s", chainID, strings.ToLower(contract), id),
			Value:    tr,
			Metadata: map[string]any{"id": id},
		})
	}
	return t.store.BulkPut(ctx, t.ns, entries)
}
