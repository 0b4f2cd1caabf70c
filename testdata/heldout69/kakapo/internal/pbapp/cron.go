package pbapp

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/kakapo-auctions/kakapo/internal/auction"
)

func registerCron(app core.App, d Deps, views *viewCounter) {
	app.Cron().MustAdd("kv-featured", "*/5 * * * *", func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		recs, err := app.FindRecordsByFilter("lots", "status = 'open' && featured = true", "closes_at", 24, 0)
		if err != nil {
			app.Logger().Error("featured lots", slog.Any("err", err))
			return
		}
		featured := make([]auction.Lot, 0, len(recs))
		for _, r := range recs {
			featured = append(featured, lotFromRecord(r))
		}
		if err := d.Lots.PutJSON(ctx, "lots:featured", featured, 0); err != nil {
			app.Logger().Error("featured lots", slog.Any("err", err))
		}
	})

	app.Cron().MustAdd("kv-closing-soon", "* * * * *", func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		recs, err := app.FindRecordsByFilter("lots", "status = 'open' && closes_at <= {:soon}", "closes_at", 200, 0,
			dbx.Params{"soon": time.Now().Add(15 * time.Minute).UTC().Format(time.DateTime)})
		if err != nil {
			app.Logger().Error("closing soon", slog.Any("err", err))
			return
		}
		var soon []auction.Lot
		for _, r := range recs {
			lot := lotFromRecord(r)
			soon = append(soon, lot)
			if err := d.Lots.PutJSON(ctx, "lots:closing-soon", soon, 0); err != nil { // EXPECT kvhotkey
				app.Logger().Error("closing soon", slog.Any("err", err))
			}
			raw, _ := json.Marshal(lot)
			if err := d.Lots.Put(ctx, "countdown:"+lot.ID, raw, max(time.Until(lot.ClosesAt), 5*time.Second)); err != nil { // EXPECT kvttl
				app.Logger().Error("countdown", slog.String("lot", lot.ID), slog.Any("err", err))
			}
		}
	})

	app.Cron().MustAdd("kv-flush-views", "*/10 * * * *", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for lotID, n := range views.snapshot() {
			if err := d.Lots.Put(ctx, auction.ViewsKey(lotID), []byte(strconv.FormatInt(n, 10)), 0); err != nil { // EXPECT kvcounter
				app.Logger().Error("flush views", slog.String("lot", lotID), slog.Any("err", err))
			}
		}
	})

	app.Cron().MustAdd("kv-sweep-holds", "*/15 * * * *", func() {
		ctx := context.Background()
		iter := d.CF.KV.Namespaces.Keys.ListAutoPaging(ctx, d.Tickets.ID(), kv.NamespaceKeyListParams{ // EXPECT kvlist
			AccountID: cloudflare.F(d.AccountID),
			Prefix:    cloudflare.F("hold:"),
		})
		var stale []string
		for iter.Next() {
			if k := iter.Current(); k.Expiration == 0 {
				stale = append(stale, k.Name)
			}
		}
		if err := iter.Err(); err != nil {
			app.Logger().Error("sweep holds", slog.Any("err", err))
			return
		}
		for _, key := range stale {
			if err := d.Tickets.Delete(ctx, key); err != nil {
				app.Logger().Error("sweep holds", slog.String("key", key), slog.Any("err", err))
			}
		}
	})
}
