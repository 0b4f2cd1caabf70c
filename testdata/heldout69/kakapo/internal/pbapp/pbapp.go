// Package pbapp extends the PocketBase admin, the system of record for lots,
// bids and bidder accounts, so that every change is projected into Workers KV
// for the API, the hub and the edge.
package pbapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/pocketbase/pocketbase/core"

	"github.com/kakapo-auctions/kakapo/internal/auction"
	"github.com/kakapo-auctions/kakapo/internal/bidder"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
)

// Deps are the KV handles the hooks write to.
type Deps struct {
	CF        *cloudflare.Client
	AccountID string
	Lots      *kvstore.Namespace
	Sessions  *kvstore.Namespace
	Bidders   *kvstore.Namespace
	Tickets   *kvstore.Namespace
}

// conditionsOfSale travels with every published lot so the edge can render the
// buyer's terms next to the bid button without another read.
const conditionsOfSale = "All lots are offered subject to the Conditions of Business printed in the catalogue " +
	"and available on request. The auctioneer acts as agent for the seller. A buyer's premium of 25% of " +
	"the hammer price up to and including 500,000 and 20% of any amount in excess of 500,000 is payable " +
	"on each lot, together with VAT on the premium. Lots are sold as seen; condition reports are provided " +
	"as a courtesy and are statements of opinion only. Bidders must satisfy themselves as to the condition " +
	"of each lot before bidding. Payment is due within seven days of the sale in cleared funds; title does " +
	"not pass until payment has been received in full. Uncollected lots will be moved to third-party " +
	"storage at the buyer's risk and expense fourteen days after the sale. Export licences, where needed, " +
	"are the buyer's responsibility and a delay in obtaining one does not justify cancellation of the sale. " +
	"Lots marked with a symbol are subject to Artist's Resale Right. The auctioneer may refuse any bid, " +
	"divide or combine lots, and withdraw any lot at his discretion. Absentee and telephone bids are " +
	"executed as a free service and the house accepts no liability for failing to execute them."

type lotMeta struct {
	Title  string `json:"title"`
	Status string `json:"status"`
	Closes int64  `json:"closes"`
	Terms  string `json:"terms"`
}

func lotFromRecord(r *core.Record) auction.Lot {
	return auction.Lot{
		ID:             r.Id,
		SaleID:         r.GetString("sale"),
		Slug:           r.GetString("slug"),
		Title:          r.GetString("title"),
		Status:         r.GetString("status"),
		OpeningCents:   int64(r.GetInt("opening_cents")),
		IncrementCents: int64(r.GetInt("increment_cents")),
		ReserveMet:     r.GetBool("reserve_met"),
		ClosesAt:       r.GetDateTime("closes_at").Time(),
		Images:         r.GetStringSlice("images"),
	}
}

// Register binds the KV projection hooks, routes and cron jobs to app.
func Register(app core.App, d Deps) {
	views := &viewCounter{n: map[string]int64{}}

	app.OnRecordCreate("bidders").BindFunc(func(e *core.RecordEvent) error {
		key := bidder.PaddleKey(e.Record.GetInt("paddle"))
		if _, err := d.Bidders.Get(e.Context, key); err == nil {
			return errors.New("paddle number already assigned")
		} else if !kvstore.IsNotFound(err) {
			return err
		}
		if err := e.Next(); err != nil {
			return err
		}
		return d.Bidders.Put(e.Context, key, []byte(e.Record.Id), 0) // EXPECT kvrace
	})

	app.OnRecordCreate("bids").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		bid := auction.Bid{
			ID:          e.Record.Id,
			LotID:       e.Record.GetString("lot"),
			BidderID:    e.Record.GetString("bidder"),
			Paddle:      e.Record.GetInt("paddle"),
			AmountCents: int64(e.Record.GetInt("amount_cents")),
			PlacedAt:    e.Record.GetDateTime("created").Time(),
		}
		key := auction.SummaryKey(bid.LotID)
		raw, err := d.Lots.Get(e.Context, key) // EXPECT kvnull
		if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return err
		}
		var sum auction.Summary
		if err := json.Unmarshal(raw, &sum); err != nil {
			return fmt.Errorf("lot summary %s: %w", bid.LotID, err)
		}
		sum.LotID = bid.LotID
		sum.Apply(bid, 10)
		return d.Lots.PutJSON(e.Context, key, sum, 0) // EXPECT kvrace
	})

	app.OnRecordAfterUpdateSuccess("lots").BindFunc(func(e *core.RecordEvent) error {
		lot := lotFromRecord(e.Record)
		raw, err := json.Marshal(lot)
		if err != nil {
			return err
		}
		if err := d.Lots.Put(e.Context, auction.LotKey(lot.ID), raw, 0); err != nil {
			return err
		}
		if old := e.Record.Original().GetString("slug"); old != "" && old != lot.Slug {
			if err := d.Lots.Delete(e.Context, auction.SlugKey(old)); err != nil {
				return err
			}
			if err := d.Lots.Put(e.Context, auction.SlugKey(lot.Slug), []byte(lot.ID), 0); err != nil {
				return err
			}
		}
		meta := lotMeta{Title: lot.Title, Status: lot.Status, Closes: lot.ClosesAt.Unix(), Terms: conditionsOfSale}
		if err := d.Lots.PutMeta(e.Context, auction.SaleLotKey(lot.SaleID, lot.ID), []byte(lot.ID), meta, 0); err != nil { // EXPECT kvlimits
			return err
		}
		if lot.Status == auction.StatusClosing {
			if err := d.Lots.Put(e.Context, "closing:"+lot.ID, raw, time.Until(lot.ClosesAt)); err != nil { // EXPECT kvttl
				return err
			}
		}
		return e.Next()
	})

	app.OnRecordAfterDeleteSuccess("lots").BindFunc(func(e *core.RecordEvent) error {
		lot := lotFromRecord(e.Record)
		for _, key := range []string{auction.LotKey(lot.ID), auction.SlugKey(lot.Slug), auction.SummaryKey(lot.ID)} {
			if err := d.Lots.Delete(e.Context, key); err != nil {
				return err
			}
		}
		return e.Next()
	})

	app.OnRecordAfterUpdateSuccess("users").BindFunc(func(e *core.RecordEvent) error {
		if e.Record.TokenKey() == e.Record.Original().TokenKey() {
			return e.Next()
		}
		// The password or email changed: sign the bidder out everywhere.
		prefix := bidder.UserSessionPrefix(e.Record.Id)
		keys, _, err := d.Sessions.ListPage(e.Context, prefix, "", 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range keys {
			token := strings.TrimPrefix(k.Name, prefix)
			if err := d.Sessions.Delete(e.Context, bidder.SessionKey(token)); err != nil { // EXPECT kvsession
				return err
			}
		}
		return e.Next()
	})

	registerRoutes(app, d, views)
	registerAdmin(app, d)
	registerCron(app, d, views)
}

// viewCounter tallies lot page views between flushes.
type viewCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func (v *viewCounter) add(lotID string) {
	v.mu.Lock()
	v.n[lotID]++
	v.mu.Unlock()
}

func (v *viewCounter) snapshot() map[string]int64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]int64, len(v.n))
	for k, n := range v.n {
		out[k] = n
	}
	return out
}
