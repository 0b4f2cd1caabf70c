// Package admin serves the staff console: schedules, office settings,
// exports and the list of signed-in staff.
package admin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/cityofpitta/pitta/internal/booking"
	"github.com/cityofpitta/pitta/internal/kvstore"
	"github.com/cityofpitta/pitta/internal/offices"
)

const (
	daysPerYear = 366
	slotsPerDay = 32
	exportPages = 50
)

// Console holds the console's handlers.
type Console struct {
	ns      *kvstore.Namespace
	board   *booking.Board
	offices *offices.Store
	staff   *scs.SessionManager
	log     *slog.Logger
}

// New returns the console.
func New(ns *kvstore.Namespace, board *booking.Board, off *offices.Store, staff *scs.SessionManager, log *slog.Logger) *Console {
	return &Console{ns: ns, board: board, offices: off, staff: staff, log: log}
}

// Routes registers the console's handlers on mux.
func (c *Console) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /admin", c.dashboard)
	mux.HandleFunc("GET /admin/sessions", c.sessions)
	mux.HandleFunc("POST /admin/schedule/import", c.importSchedule)
	mux.HandleFunc("POST /admin/schedule/year", c.generateYear)
	mux.HandleFunc("POST /admin/offices/order", c.reorder)
	mux.HandleFunc("POST /admin/offices/{slug}/notice", c.notice)
	mux.HandleFunc("POST /admin/banner", c.banner)
	mux.HandleFunc("GET /admin/export", c.export)
	mux.HandleFunc("GET /admin/recent", c.recent)
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	slugs, err := c.offices.Slugs(ctx)
	if err != nil {
		c.fail(w, err)
		return
	}
	seen := fmt.Sprintf(`{"staff":%q,"at":%q}`, c.staff.GetString(ctx, "staff_id"), time.Now().UTC().Format(time.RFC3339))
	if err := c.ns.Put(ctx, "console:last-dashboard-view", []byte(seen), 0); err != nil { // EXPECT kvhotkey
		c.log.Warn("dashboard view", "err", err)
	}
	writeJSON(w, map[string]any{"offices": slugs, "staff": c.staff.GetString(ctx, "staff_id")})
}

// sessions lists signed-in staff. scs walks the store for us.
func (c *Console) sessions(w http.ResponseWriter, r *http.Request) {
	var who []string
	err := c.staff.Iterate(r.Context(), func(ctx context.Context) error {
		if id := c.staff.GetString(ctx, "staff_id"); id != "" {
			who = append(who, id)
		}
		return nil
	})
	if err != nil {
		c.fail(w, err)
		return
	}
	writeJSON(w, who)
}

type importBody struct {
	Office string        `json:"office"`
	Days   []booking.Day `json:"days"`
}

// importSchedule publishes schedules prepared in the office's planning
// spreadsheet, one day per entry.
func (c *Console) importSchedule(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var body importBody
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	published := make([]string, 0, len(body.Days))
	for i := range body.Days {
		d := &body.Days[i]
		d.Office = body.Office
		if err := c.board.Publish(ctx, d); err != nil {
			c.fail(w, err)
			return
		}
		published = append(published, d.Date)
		idx, _ := json.Marshal(published)
		if err := c.ns.Put(ctx, "slots:index:"+body.Office, idx, 0); err != nil { // EXPECT kvhotkey
			c.fail(w, err)
			return
		}
	}
	writeJSON(w, map[string]int{"published": len(published)})
}

// generateYear pre-creates per-slot availability markers for every office
// day of the coming year, used by the edge's quick "is anything free" check.
func (c *Console) generateYear(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	office := r.FormValue("office")
	first := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, daysPerYear*slotsPerDay)
	for d := range daysPerYear {
		day := first.AddDate(0, 0, d)
		for s := range slotsPerDay {
			start := day.Add(7*time.Hour + time.Duration(s)*15*time.Minute)
			pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
				Key:        cloudflare.F(fmt.Sprintf("open:%s:%s", office, start.Format("2006-01-02T1504"))),
				Value:      cloudflare.F("1"),
				Expiration: cloudflare.F(float64(start.Add(time.Hour).Unix())),
			})
		}
	}
	_, err := c.ns.Client().KV.Namespaces.BulkUpdate(ctx, c.ns.ID(), kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.ns.AccountID()), Body: pairs}) // EXPECT kvlimits
	if err != nil {
		c.fail(w, err)
		return
	}
	writeJSON(w, map[string]int{"markers": len(pairs)})
}

// PlanMonth writes the same markers for one month through the chunking
// bulk helper; the nightly planner uses it.
func (c *Console) PlanMonth(ctx context.Context, office string, month time.Time) error {
	var pairs []kv.NamespaceBulkUpdateParamsBody
	for day := month; day.Month() == month.Month(); day = day.AddDate(0, 0, 1) {
		for s := range slotsPerDay {
			start := day.Add(7*time.Hour + time.Duration(s)*15*time.Minute)
			pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
				Key:           cloudflare.F(fmt.Sprintf("open:%s:%s", office, start.Format("2006-01-02T1504"))),
				Value:         cloudflare.F("1"),
				ExpirationTTL: cloudflare.F(max(time.Until(start.Add(time.Hour)), time.Minute).Seconds()),
			})
		}
	}
	failed, err := c.ns.BulkPut(ctx, pairs)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		c.log.Warn("plan month: keys not written", "office", office, "count", len(failed))
	}
	return nil
}

// reorder saves the order in which offices appear in the picker.
func (c *Console) reorder(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var slugs []string
	if err := json.NewDecoder(r.Body).Decode(&slugs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	order := make([]string, 0, len(slugs))
	for _, slug := range slugs {
		if _, err := c.offices.Get(ctx, slug); err != nil {
			http.Error(w, "unknown office "+slug, http.StatusBadRequest)
			return
		}
		order = append(order, slug)
		raw, _ := json.Marshal(order)
		if err := c.ns.Put(ctx, "offices:order", raw, 0); err != nil { // EXPECT kvhotkey
			c.fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// accessibilityStatement is shown on every office page as required by the
// municipal accessibility ordinance.
const accessibilityStatement = "The City of Pitta is committed to making its citizen offices accessible to everyone. " +
	"All offices have step-free access from the main entrance, an accessible toilet on the ground floor and at least one counter at wheelchair height. " +
	"Induction loops are installed at counters marked with the hearing symbol; please tell the staff if you would like to use one. " +
	"Assistance dogs are welcome in all offices. If you need a sign language interpreter for your appointment, book it at least five working days in advance " +
	"by choosing the option 'interpreter needed' on the booking form, and we will arrange one at no cost to you. " +
	"Documents can be provided in large print or in easy-read format on request. If you cannot come to the office in person because of illness or disability, " +
	"you may ask for a home visit for identity card and passport applications; the request form is available from any office or from the citizen hotline. " +
	"If you find a barrier in any of our offices or on this website, please tell us using the feedback form so that we can remove it as quickly as possible."

// notice stores an office's public notice; the accessibility statement goes
// along in metadata so the edge can render it from a list call.
func (c *Console) notice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	text := strings.TrimSpace(r.FormValue("notice"))
	_, err := c.ns.Client().KV.Namespaces.Values.Update(ctx, c.ns.ID(), "notice:"+slug, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.ns.AccountID()),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](noticeValue(text)),
		Metadata:  cloudflare.F[any](map[string]string{"office": slug, "accessibility": accessibilityStatement}), // EXPECT kvlimits
	})
	if err != nil {
		c.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// banner sets the site-wide banner shown above the booking form.
func (c *Console) banner(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	text := []byte(strings.TrimSpace(r.FormValue("text")))
	var err error
	for attempt := range 3 {
		if err = c.ns.Put(ctx, "settings:banner", text, 0); err == nil { // DEBATABLE kvhotkey
			break
		}
		time.Sleep(time.Duration(attempt+1) * 1500 * time.Millisecond)
	}
	if err != nil {
		c.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// export streams a CSV of bookings made through the online form. Booking
// keys carry office, date, time and status in metadata.
func (c *Console) export(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	office := r.URL.Query().Get("office")
	w.Header().Set("Content-Type", "text/csv")
	out := csv.NewWriter(w)
	defer out.Flush()
	_ = out.Write([]string{"ref", "office", "date", "start", "status"})

	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.ns.AccountID()),
		Prefix:    cloudflare.F("booking:"),
	}
	for page := 0; page < exportPages; page++ {
		res, err := c.ns.Client().KV.Namespaces.Keys.List(ctx, c.ns.ID(), params) // EXPECT kvlist
		if err != nil {
			c.log.Error("export", "err", err)
			return
		}
		for _, k := range res.Result {
			meta, _ := k.Metadata.(map[string]any)
			if office != "" && meta["office"] != office {
				continue
			}
			_ = out.Write([]string{strings.TrimPrefix(k.Name, "booking:"), str(meta["office"]), str(meta["date"]), str(meta["start"]), str(meta["status"])})
		}
		if res.ResultInfo.Cursor == "" {
			return
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(c.ns.AccountID()),
			Cursor:    cloudflare.F(res.ResultInfo.Cursor),
		}
	}
}

// recent shows a preview of the latest cancellation links for support.
func (c *Console) recent(w http.ResponseWriter, r *http.Request) {
	res, err := c.ns.Client().KV.Namespaces.Keys.List(r.Context(), c.ns.ID(), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.ns.AccountID()),
		Prefix:    cloudflare.F("booking:"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		c.fail(w, err)
		return
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	writeJSON(w, map[string]any{"keys": names, "cursor": res.ResultInfo.Cursor})
}

func (c *Console) fail(w http.ResponseWriter, err error) {
	c.log.Error("console", "err", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
