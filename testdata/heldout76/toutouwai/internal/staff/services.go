package staff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/toutouwai/booking/internal/csrf"
	"github.com/toutouwai/booking/internal/form"
	"github.com/toutouwai/booking/internal/ui"
)

// Service is something customers can book.
type Service struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Minutes    int       `json:"minutes"`
	PriceCents int       `json:"price_cents"`
	Archived   bool      `json:"archived,omitempty"`
	Updated    time.Time `json:"updated"`
	UpdatedBy  string    `json:"updated_by"`
}

// ServiceForm is the inline edit row's post.
type ServiceForm struct {
	Name    string `schema:"name" validate:"required,max=60"`
	Minutes int    `schema:"minutes" validate:"required"`
	Price   string `schema:"price" validate:"required,max=10"`
}

func serviceKey(id string) string { return "service:" + id }

// rowEditTTL bounds how long an edit row's token is good for; staff tend
// to leave rows open while they check with colleagues.
const rowEditTTL = 20 * time.Minute

func priceText(cents int) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func parsePrice(s string) (int, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, errors.New("is not a price")
	}
	return int(f*100 + 0.5), nil
}

func rowView(s Service) ui.Component {
	return ui.Rawf(`<tr id="svc-%s"><td>%s</td><td>%d min</td><td>%s</td>`+
		`<td><button hx-get="/staff/services/%s/edit" hx-target="#svc-%s" hx-swap="outerHTML">Edit</button>`+
		`<button hx-delete="/staff/services/%s" hx-target="#svc-%s" hx-swap="outerHTML" hx-confirm="Archive %s?">Archive</button></td></tr>`,
		s.ID, s.Name, s.Minutes, priceText(s.PriceCents), s.ID, s.ID, s.ID, s.ID, s.Name)
}

func rowEdit(s Service, token string, errs form.Errors) ui.Component {
	msg := ""
	if len(errs) > 0 {
		msg = errs.Error()
	}
	return ui.Rawf(`<tr id="svc-%s" hx-target="this" hx-swap="outerHTML">`+
		`<td><input name="name" value="%s"></td><td><input name="minutes" type="number" value="%d"></td>`+
		`<td><input name="price" value="%s"></td><td><input type="hidden" name="_csrf" value="%s">`+
		`<button hx-put="/staff/services/%s" hx-include="closest tr">Save</button>`+
		`<button hx-get="/staff/services/%s">Cancel</button><small class="err">%s</small></td></tr>`,
		s.ID, s.Name, s.Minutes, priceText(s.PriceCents), token, s.ID, s.ID, msg)
}

// services lists the catalogue from list metadata; a salon has tens of
// services, so one page is all there is.
func (h *Handlers) services(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.staff(w, r); !ok {
		return
	}
	page, err := h.NS.ListPage(r.Context(), "service:", "", 1000)
	if err != nil {
		http.Error(w, "could not load services", http.StatusBadGateway)
		return
	}
	rows := make([]ui.Component, 0, len(page.Keys))
	for _, k := range page.Keys {
		var s Service
		s.ID = k.Name[len("service:"):]
		s.Name, _ = k.Meta["name"].(string)
		if m, ok := k.Meta["minutes"].(float64); ok {
			s.Minutes = int(m)
		}
		if p, ok := k.Meta["price_cents"].(float64); ok {
			s.PriceCents = int(p)
		}
		if a, _ := k.Meta["archived"].(bool); a {
			continue
		}
		rows = append(rows, rowView(s))
	}
	more := ""
	if page.Cursor != "" {
		more = `<p class="muted">More services not shown.</p>`
	}
	ui.Fragment(w, r, ui.Group(ui.Tag("table", `class="services"`, rows...), ui.Raw(more)))
}

func serviceMeta(s Service) map[string]any {
	return map[string]any{"name": s.Name, "minutes": s.Minutes, "price_cents": s.PriceCents, "archived": s.Archived}
}

func (h *Handlers) loadService(ctx context.Context, id string) (Service, error) {
	var s Service
	err := h.NS.GetJSON(ctx, serviceKey(id), &s)
	return s, err
}

func (h *Handlers) serviceRow(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.staff(w, r); !ok {
		return
	}
	s, err := h.loadService(r.Context(), r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ui.Fragment(w, r, rowView(s))
}

func (h *Handlers) serviceEdit(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.staff(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	s, err := h.loadService(ctx, id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	tok, err := csrf.Issue(ctx, h.NS, sess.ID, "svc-"+id, rowEditTTL)
	if err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	ui.Fragment(w, r, rowEdit(s, tok, nil))
}

func (h *Handlers) serviceSave(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.staff(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	if err := csrf.Verify(r, h.NS, sess.ID, "svc-"+id); err != nil {
		http.Error(w, "This row has expired; reload the page.", http.StatusForbidden)
		return
	}
	s, err := h.loadService(ctx, id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var f ServiceForm
	err = form.Decode(r, &f)
	cents, perr := parsePrice(f.Price)
	if err != nil || perr != nil {
		errs := form.Errors{}
		errors.As(err, &errs)
		if perr != nil {
			errs["price"] = perr.Error()
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		ui.Fragment(w, r, rowEdit(s, r.PostFormValue(csrf.FieldName), errs))
		return
	}
	s.Name, s.Minutes, s.PriceCents = f.Name, f.Minutes, cents
	s.Updated, s.UpdatedBy = time.Now(), sess.Email
	b, _ := json.Marshal(s)
	if err := h.NS.PutMeta(ctx, serviceKey(id), b, serviceMeta(s)); err != nil { // EXPECT kvrace
		http.Error(w, "save failed", http.StatusBadGateway)
		return
	}
	if err := h.NS.Put(ctx, "catalogue:updated-at", []byte(s.Updated.Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
		log.Printf("catalogue stamp: %v", err)
	}
	ui.Trigger(w, map[string]any{"serviceSaved": id})
	ui.Fragment(w, r, rowView(s))
}

func (h *Handlers) serviceArchive(w http.ResponseWriter, r *http.Request) {
	sess, ok := h.staff(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	s, err := h.loadService(ctx, id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	s.Archived, s.Updated, s.UpdatedBy = true, time.Now(), sess.Email
	b, _ := json.Marshal(s)
	if err := h.NS.PutMeta(ctx, serviceKey(id), b, serviceMeta(s)); err != nil { // DEBATABLE kvrace
		http.Error(w, "archive failed", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// NewService stores a service under a fresh ID.
func (h *Handlers) NewService(ctx context.Context, name string, minutes, cents int, by string) (Service, error) {
	s := Service{ID: strconv.FormatInt(time.Now().UnixNano(), 36), Name: name, Minutes: minutes, PriceCents: cents, Updated: time.Now(), UpdatedBy: by}
	b, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	return s, h.NS.PutMeta(ctx, serviceKey(s.ID), b, serviceMeta(s))
}

// ImportRow is one line of a catalogue import.
type ImportRow struct {
	Name    string
	Minutes int
	Cents   int
}

// ImportServices adds services from an uploaded price list.
func (h *Handlers) ImportServices(ctx context.Context, rows []ImportRow, by string) (int, error) {
	n := 0
	for _, row := range rows {
		s, err := h.NewService(ctx, row.Name, row.Minutes, row.Cents, by)
		if err != nil {
			return n, err
		}
		n++
		if err := h.NS.Put(ctx, "catalogue:updated-at", []byte(s.Updated.Format(time.RFC3339))); err != nil { // EXPECT kvhotkey
			return n, err
		}
	}
	return n, nil
}
