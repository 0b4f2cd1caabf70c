package pbapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/kakapo-auctions/kakapo/internal/auction"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
	"github.com/kakapo-auctions/kakapo/internal/ticketing"
)

const (
	maxPurgePages = 10
	seatRows      = 90
	seatsPerRow   = 120
)

// registerAdmin adds the superuser-only KV maintenance routes.
func registerAdmin(app core.App, d Deps) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/kakapo/admin")
		g.Bind(apis.RequireSuperuserAuth())

		// Peek shows the first few published lots of a sale on the dashboard.
		g.GET("/sales/{sale}/peek", func(e *core.RequestEvent) error {
			prefix := auction.SaleLotPrefix(e.Request.PathValue("sale"))
			page, err := d.CF.KV.Namespaces.Keys.List(e.Request.Context(), d.Lots.ID(), kv.NamespaceKeyListParams{
				AccountID: cloudflare.F(d.AccountID),
				Prefix:    cloudflare.F(prefix),
				Limit:     cloudflare.F(5.0), // EXPECT kvlimits
			})
			if err != nil {
				return e.InternalServerError("list failed", err)
			}
			ids := make([]string, 0, len(page.Result))
			for _, k := range page.Result {
				ids = append(ids, strings.TrimPrefix(k.Name, prefix))
			}
			return e.JSON(http.StatusOK, map[string]any{"lots": ids, "cursor": page.ResultInfo.Cursor})
		})

		// Import loads draft lots from a consignment spreadsheet export.
		g.POST("/lots/import", func(e *core.RequestEvent) error {
			var in []auction.Lot
			if err := e.BindBody(&in); err != nil {
				return e.BadRequestError("bad import", err)
			}
			ctx := e.Request.Context()
			written := 0
			for _, lot := range in {
				lot.Status = auction.StatusDraft
				if err := d.Lots.PutJSON(ctx, auction.LotKey(lot.ID), lot, 0); err != nil {
					continue
				}
				written++
				if err := d.Lots.Put(ctx, "import:last-lot", []byte(lot.ID), 0); err != nil { // EXPECT kvhotkey
					app.Logger().Warn("import progress", "err", err)
				}
			}
			return e.JSON(http.StatusOK, map[string]int{"written": written, "failed": len(in) - written})
		})

		// Publish projects every lot of a sale into KV in bulk.
		g.POST("/sales/{sale}/publish", func(e *core.RequestEvent) error {
			recs, err := app.FindRecordsByFilter("lots", "sale = {:sale}", "lot_number", 0, 0,
				dbx.Params{"sale": e.Request.PathValue("sale")})
			if err != nil {
				return e.InternalServerError("lots", err)
			}
			entries := make([]kvstore.Entry, 0, 3*len(recs))
			for _, r := range recs {
				lot := lotFromRecord(r)
				body, _ := json.Marshal(lot)
				meta := map[string]any{"status": lot.Status, "closes_at": lot.ClosesAt.Unix(), "title": lot.Title}
				entries = append(entries,
					kvstore.Entry{Key: auction.LotKey(lot.ID), Value: string(body)},
					kvstore.Entry{Key: auction.SlugKey(lot.Slug), Value: lot.ID},
					kvstore.Entry{Key: auction.SaleLotKey(lot.SaleID, lot.ID), Value: lot.ID, Metadata: meta},
				)
			}
			failed, err := d.Lots.BulkPut(e.Request.Context(), entries)
			if err != nil {
				return e.InternalServerError("bulk put", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"written": len(entries) - len(failed), "failed": failed})
		})

		// Export dumps a sale's published projection for the printed catalogue.
		g.GET("/sales/{sale}/export", func(e *core.RequestEvent) error {
			ctx := e.Request.Context()
			prefix := auction.SaleLotPrefix(e.Request.PathValue("sale"))
			params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(d.AccountID), Prefix: cloudflare.F(prefix)}
			var out []json.RawMessage
			for {
				page, err := d.CF.KV.Namespaces.Keys.List(ctx, d.Lots.ID(), params) // EXPECT kvlist
				if err != nil {
					return e.InternalServerError("list failed", err)
				}
				for _, k := range page.Result {
					raw, err := d.Lots.Get(ctx, auction.LotKey(strings.TrimPrefix(k.Name, prefix))) // EXPECT kvlist
					if err != nil {
						continue
					}
					out = append(out, raw)
				}
				if page.ResultInfo.Cursor == "" {
					break
				}
				params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
			}
			return e.JSON(http.StatusOK, out)
		})

		// Purge removes a closed sale's index entries, at most ten pages per call.
		g.POST("/sales/{sale}/purge", func(e *core.RequestEvent) error {
			ctx := e.Request.Context()
			var names []string
			cursor := ""
			for page := 0; page < maxPurgePages; page++ {
				keys, next, err := d.Lots.ListPage(ctx, auction.SaleLotPrefix(e.Request.PathValue("sale")), cursor, 1000)
				if err != nil {
					return e.InternalServerError("list failed", err)
				}
				for _, k := range keys {
					names = append(names, k.Name)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if len(names) == 0 {
				return e.NoContent(http.StatusNoContent)
			}
			res, err := d.CF.KV.Namespaces.Keys.BulkDelete(ctx, d.Lots.ID(), kv.NamespaceKeyBulkDeleteParams{
				AccountID: cloudflare.F(d.AccountID),
				Body:      names,
			})
			if err != nil {
				return e.InternalServerError("bulk delete", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"deleted": res.SuccessfulKeyCount, "more": len(names) == maxPurgePages*1000})
		})

		// Seat map publishes the sale room's seating for a ticketed evening.
		g.POST("/events/{event}/seatmap", func(e *core.RequestEvent) error {
			event := e.Request.PathValue("event")
			price := fmt.Sprintf(`{"price_cents":%d}`, 4500)
			body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, seatRows*seatsPerRow)
			for row := range seatRows {
				for n := range seatsPerRow {
					body = append(body, kv.NamespaceKeyBulkUpdateParamsBody{
						Key:           cloudflare.F(ticketing.SeatKey(event, row+1, n+1)),
						Value:         cloudflare.F(price),
						ExpirationTTL: cloudflare.F((90 * 24 * time.Hour).Seconds()),
					})
				}
			}
			res, err := d.CF.KV.Namespaces.Keys.BulkUpdate(e.Request.Context(), d.Tickets.ID(), kv.NamespaceKeyBulkUpdateParams{ // EXPECT kvlimits
				AccountID: cloudflare.F(d.AccountID),
				Body:      body,
			})
			if err != nil {
				return e.InternalServerError("bulk update", err)
			}
			return e.JSON(http.StatusOK, map[string]any{"written": res.SuccessfulKeyCount, "failed": res.UnsuccessfulKeys})
		})

		return se.Next()
	})
}
