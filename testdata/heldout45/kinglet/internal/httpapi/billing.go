package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"kinglet/internal/invoicing"
	"kinglet/internal/kvstore"
)

func (s *Server) saveDraft(w http.ResponseWriter, r *http.Request) {
	var d invoicing.Draft
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&d); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if _, ok := s.apiKey(w, r); !ok {
		return
	}
	if err := s.Drafts.Save(r.Context(), &d); err != nil {
		s.fail(w, r, err)
		return
	}
	marker := fmt.Sprintf("%s %s/%s", d.UpdatedAt.Format(time.RFC3339), d.CustomerID, d.ID)
	if err := s.Store.Put(r.Context(), s.Cfg.NS.Invoices, "stats:last-draft-saved", []byte(marker), 0); err != nil { // EXPECT kvhotkey
		s.Log.Warn("stats marker", "err", err)
	}
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) deleteDraft(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiKey(w, r); !ok {
		return
	}
	if err := s.Drafts.Delete(r.Context(), r.PathValue("customer"), r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) issueDraft(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiKey(w, r); !ok {
		return
	}
	ctx := r.Context()
	inv, err := s.Issuer.Issue(ctx, r.PathValue("customer"), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link, err := s.Links.Create(ctx, inv)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Dunning.Schedule(ctx, inv, r.URL.Query().Get("billing_email")); err != nil {
		s.Log.Warn("schedule dunning", "invoice", inv.Number, "err", err)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"invoice": inv, "pay_url": "/pay/" + link.Token})
}

// viewInvoice serves the invoice and keeps a view count for the
// "opened by customer" badge.
func (s *Server) viewInvoice(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	number := r.PathValue("number")
	var inv invoicing.Issued
	if err := s.Store.GetJSON(ctx, s.Cfg.NS.Invoices, "invoice:"+number, &inv); err != nil {
		s.fail(w, r, err)
		return
	}
	if inv.CustomerID != r.PathValue("customer") {
		http.NotFound(w, r)
		return
	}
	params := kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Cfg.AccountID)}
	viewsKey := fmt.Sprintf("views:%s:%s", inv.CustomerID, number)
	var views int64
	if res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.Cfg.NS.Invoices, viewsKey, params); err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		views, _ = strconv.ParseInt(string(b), 10, 64)
	}
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.Cfg.NS.Invoices, viewsKey, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID: cloudflare.F(s.Cfg.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(views+1, 10)),
	})
	if err != nil {
		s.Log.Warn("count view", "err", err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoice": inv, "views": views + 1})
}

type importRow struct {
	ID    string           `json:"id"`
	Lines []invoicing.Line `json:"lines"`
}

func (s *Server) importInvoices(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiKey(w, r); !ok {
		return
	}
	ctx := r.Context()
	customer := r.PathValue("customer")
	var rows []importRow
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&rows); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	statusKey := "import-status:" + customer
	for i, row := range rows {
		d := invoicing.Draft{ID: row.ID, CustomerID: customer, Lines: row.Lines, DueDays: 30, Currency: "EUR"}
		if err := s.Drafts.Save(ctx, &d); err != nil {
			s.fail(w, r, err)
			return
		}
		status := fmt.Sprintf(`{"done":%d,"total":%d}`, i+1, len(rows))
		if err := s.Store.Put(ctx, s.Cfg.NS.Invoices, statusKey, []byte(status), time.Hour); err != nil { // EXPECT kvhotkey
			s.fail(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"imported": len(rows)})
}

// CustomerSettings are the invoice defaults a customer can change.
type CustomerSettings struct {
	Currency    string   `json:"currency"`
	DueDays     int      `json:"due_days"`
	Language    string   `json:"language"`
	CCAddresses []string `json:"cc"`
	LogoURL     string   `json:"logo_url,omitempty"`
}

var defaultSettings = CustomerSettings{Currency: "EUR", DueDays: 30, Language: "en"}

func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.apiKey(w, r); !ok {
		return
	}
	ctx := r.Context()
	key := "settings:" + r.PathValue("customer")

	var patch map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&patch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cur := defaultSettings
	if err := s.Store.GetJSON(ctx, s.Cfg.NS.Invoices, key, &cur); err != nil { // EXPECT kvnull
		cur = defaultSettings
	}
	if v, ok := patch["currency"]; ok {
		_ = json.Unmarshal(v, &cur.Currency)
	}
	if v, ok := patch["due_days"]; ok {
		_ = json.Unmarshal(v, &cur.DueDays)
	}
	if v, ok := patch["language"]; ok {
		_ = json.Unmarshal(v, &cur.Language)
	}
	if v, ok := patch["cc"]; ok {
		var add []string
		_ = json.Unmarshal(v, &add)
		cur.CCAddresses = append(cur.CCAddresses, add...)
	}
	if err := s.Store.PutJSON(ctx, s.Cfg.NS.Invoices, key, cur, 0); err != nil { // EXPECT kvrace
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cur)
}

// getTemplate returns a customer's e-mail template, seeding the stock one
// the first time it is asked for.
func (s *Server) getTemplate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := fmt.Sprintf("template:%s:%s", r.PathValue("customer"), r.PathValue("name"))
	raw, err := s.Store.Get(ctx, s.Cfg.NS.Invoices, key)
	if err == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(raw)
		return
	}
	if !kvstore.IsNotFound(err) {
		s.fail(w, r, err)
		return
	}
	stock := stockTemplates[r.PathValue("name")]
	if stock == "" {
		http.NotFound(w, r)
		return
	}
	if err := s.Store.Put(ctx, s.Cfg.NS.Invoices, key, []byte(stock), 0); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, stock)
}

var stockTemplates = map[string]string{
	"issued":   "Hello {{.Name}},\n\nplease find invoice {{.Number}} attached.\n",
	"reminder": "Hello {{.Name}},\n\ninvoice {{.Number}} is overdue. Pay here: {{.PayURL}}\n",
}
