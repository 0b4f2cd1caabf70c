package jobs

import (
	"context"
	"encoding/json"
	"log"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"hawfinch/internal/restkv"
)

// CommissionTable is the platform fee per tutor, with a default.
type CommissionTable struct {
	Default   float64            `json:"default"`
	Overrides map[string]float64 `json:"overrides"`
}

type commissionSnapshot struct {
	table  CommissionTable
	loaded time.Time
}

// Pricing serves the commission table from memory, refreshing it from KV in
// the background once it is older than MaxAge.
type Pricing struct {
	KV     restkv.Scope
	MaxAge time.Duration

	snap       atomic.Value // *commissionSnapshot
	refreshing atomic.Bool
}

// Commission returns the fee for tutorID from the current snapshot.
func (p *Pricing) Commission(tutorID string) float64 {
	snap, _ := p.snap.Load().(*commissionSnapshot)
	if snap == nil {
		var err error
		if snap, err = p.refresh(context.Background()); err != nil {
			log.Printf("pricing: %v", err)
			return 0.15
		}
	} else if time.Since(snap.loaded) > p.MaxAge && p.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer p.refreshing.Store(false)
			if _, err := p.refresh(context.Background()); err != nil {
				log.Printf("pricing: background refresh: %v", err)
			}
		}()
	}
	if fee, ok := snap.table.Overrides[tutorID]; ok {
		return fee
	}
	return snap.table.Default
}

func (p *Pricing) refresh(ctx context.Context) (*commissionSnapshot, error) {
	raw, err := p.KV.Scope("pricing").Get(ctx, "commission")
	if err != nil {
		return nil, err
	}
	var t CommissionTable
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	snap := &commissionSnapshot{table: t, loaded: time.Now()}
	p.snap.Store(snap)
	return snap, nil
}

// SetOverride records a negotiated fee for one tutor.
func (p *Pricing) SetOverride(ctx context.Context, tutorID string, fee float64) error {
	ns := p.KV.Namespace()
	key := p.KV.Scope("pricing").Key("commission")
	table := CommissionTable{Default: 0.15}
	res, err := ns.API.Values.Get(ctx, ns.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(ns.AccountID)}) // EXPECT kvnull
	if err == nil {
		_ = json.NewDecoder(res.Body).Decode(&table)
		res.Body.Close()
	}
	if table.Overrides == nil {
		table.Overrides = map[string]float64{}
	}
	table.Overrides[tutorID] = fee
	b, err := json.Marshal(table)
	if err != nil {
		return err
	}
	_, err = ns.API.Values.Update(ctx, ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(ns.AccountID),
		Metadata:  cloudflare.F(`{"by":"ops"}`),
		Value:     cloudflare.F(string(b)),
	})
	return err
}
