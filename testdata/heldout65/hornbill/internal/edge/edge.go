//go:build js && wasm

// Package edge is the hornbill Worker. It answers entitlement checks from
// customers' apps at the edge, receives a copy of the Stripe webhooks so that
// the edge projection is fresh without waiting for billingd, and keeps the
// portal session cookie check close to users.
package edge

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

// kvNull is what GetString returns for a key that does not exist.
const kvNull = "<null>"

// Worker holds the bindings.
type Worker struct {
	kv     *cloudflare.KVNamespace
	db     *sql.DB
	secret string
}

// New opens the KV and D1 bindings.
func New() (*Worker, error) {
	ns, err := cloudflare.NewKVNamespace("HORNBILL_KV")
	if err != nil {
		return nil, err
	}
	conn, err := d1.OpenConnector("HORNBILL_DB")
	if err != nil {
		return nil, err
	}
	return &Worker{kv: ns, db: sql.OpenDB(conn), secret: cloudflare.Getenv("STRIPE_WEBHOOK_SECRET")}, nil
}

// Handler returns the Worker's routes.
func (w *Worker) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/stripe", w.stripeWebhook)
	mux.HandleFunc("GET /v1/entitlements/{customer}", w.limited(w.entitlements))
	mux.HandleFunc("GET /v1/session", w.session)
	mux.HandleFunc("GET /admin/entitlements", w.listEntitlements)
	mux.HandleFunc("GET /admin/webhook-stats", w.webhookStats)
	return mux
}

func (w *Worker) stripeWebhook(rw http.ResponseWriter, r *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(rw, "read", http.StatusBadRequest)
		return
	}
	ev, err := webhook.ConstructEvent(payload, r.Header.Get("Stripe-Signature"), w.secret)
	if err != nil {
		http.Error(rw, "bad signature", http.StatusBadRequest)
		return
	}
	_ = w.kv.PutString("edge:webhook:last", ev.ID, nil) // EXPECT kvhotkey

	if seen, err := w.kv.GetString("nonce:stripe:"+ev.ID, nil); err == nil && seen != kvNull {
		rw.WriteHeader(http.StatusOK)
		return
	}
	_ = w.kv.PutString("nonce:stripe:"+ev.ID, "1", &cloudflare.KVNamespacePutOptions{ // DEBATABLE kvrace
		ExpirationTTL: 45, // EXPECT kvttl
	})

	day := time.Now().UTC().Format("2006-01-02")
	statsKey := "stats:webhooks:" + day
	cur, _ := w.kv.GetString(statsKey, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(cur)
	_ = w.kv.PutString(statsKey, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 40 * 24 * 3600}) // EXPECT kvcounter|kvrace

	if ev.Type == stripe.EventTypeCustomerSubscriptionUpdated || ev.Type == stripe.EventTypeCustomerSubscriptionCreated {
		if err := w.projectSubscription(r.Context(), ev); err != nil {
			http.Error(rw, "project", http.StatusInternalServerError)
			return
		}
	}
	rw.WriteHeader(http.StatusOK)
}

type entitlement struct {
	CustomerID string `json:"customer_id"`
	Status     string `json:"status"`
	Plan       string `json:"plan"`
	PeriodEnd  int64  `json:"period_end"`
}

// projectSubscription writes the subscription to D1, the source of truth at
// the edge, then refreshes the KV projection.
func (w *Worker) projectSubscription(ctx context.Context, ev stripe.Event) error {
	var sub stripe.Subscription
	if err := json.Unmarshal(ev.Data.Raw, &sub); err != nil {
		return err
	}
	if sub.Customer == nil {
		return nil
	}
	e := entitlement{CustomerID: sub.Customer.ID, Status: string(sub.Status)}
	if sub.Items != nil && len(sub.Items.Data) > 0 && sub.Items.Data[0].Price != nil {
		e.Plan = sub.Items.Data[0].Price.LookupKey
		e.PeriodEnd = sub.Items.Data[0].CurrentPeriodEnd
	}
	if _, err := w.db.ExecContext(ctx,
		`INSERT INTO entitlements (customer_id, status, plan, period_end, event_created) VALUES (?, ?, ?, ?, ?)
		 ON CONFLICT (customer_id) DO UPDATE SET status = excluded.status, plan = excluded.plan,
		 period_end = excluded.period_end, event_created = excluded.event_created
		 WHERE excluded.event_created >= entitlements.event_created`,
		e.CustomerID, e.Status, e.Plan, e.PeriodEnd, ev.Created); err != nil {
		return err
	}
	b, _ := json.Marshal(e)
	return w.kv.PutString("ent:"+e.CustomerID, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
}

func (w *Worker) entitlements(rw http.ResponseWriter, r *http.Request) {
	cust := r.PathValue("customer")
	v, err := w.kv.GetString("ent:"+cust, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil {
		http.Error(rw, "kv", http.StatusBadGateway)
		return
	}
	if v == "" { // EXPECT kvnull
		var e entitlement
		row := w.db.QueryRowContext(r.Context(), `SELECT customer_id, status, plan, period_end FROM entitlements WHERE customer_id = ?`, cust)
		if err := row.Scan(&e.CustomerID, &e.Status, &e.Plan, &e.PeriodEnd); err != nil {
			http.Error(rw, "unknown customer", http.StatusNotFound)
			return
		}
		b, _ := json.Marshal(e)
		v = string(b)
		_ = w.kv.PutString("ent:"+cust, v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 300})
	}
	rw.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(rw, v)
}

// limited allows 600 calls per minute per client IP.
func (w *Worker) limited(next http.HandlerFunc) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		ip := r.Header.Get("CF-Connecting-IP")
		key := "rl:api:" + ip + ":" + strconv.FormatInt(time.Now().Unix()/60, 10)
		hits := 0
		if v, err := w.kv.GetString(key, nil); err == nil && v != kvNull {
			hits, _ = strconv.Atoi(v)
		}
		if hits >= 600 {
			http.Error(rw, "rate limited", http.StatusTooManyRequests)
			return
		}
		_ = w.kv.PutString(key, strconv.Itoa(hits+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
		next(rw, r)
	}
}

type edgeSession struct {
	AccountID string `json:"account_id"`
	Email     string `json:"email"`
	LastSeen  int64  `json:"last_seen"`
}

func (w *Worker) session(rw http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("hb_portal")
	if err != nil {
		http.Error(rw, "signed out", http.StatusUnauthorized)
		return
	}
	key := "sess:edge:" + c.Value
	v, err := w.kv.GetString(key, nil)
	if err != nil || v == kvNull {
		http.Error(rw, "signed out", http.StatusUnauthorized)
		return
	}
	var s edgeSession
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		http.Error(rw, "bad session", http.StatusUnauthorized)
		return
	}
	s.LastSeen = time.Now().Unix()
	b, _ := json.Marshal(s)
	_ = w.kv.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 1800}) // EXPECT kvsession
	rw.Header().Set("Content-Type", "application/json")
	_, _ = rw.Write(b)
}

func (w *Worker) listEntitlements(rw http.ResponseWriter, r *http.Request) {
	var out []json.RawMessage
	cursor := ""
	for {
		res, err := w.kv.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
			Prefix: "ent:",
			Cursor: cursor,
			Limit:  2000, // EXPECT kvlimits
		})
		if err != nil {
			http.Error(rw, "kv", http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			v, err := w.kv.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == kvNull {
				continue
			}
			out = append(out, json.RawMessage(v))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	rw.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(rw).Encode(out)
}

func (w *Worker) webhookStats(rw http.ResponseWriter, r *http.Request) {
	res, err := w.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "stats:webhooks:", Limit: 31})
	if err != nil {
		http.Error(rw, "kv", http.StatusBadGateway)
		return
	}
	days := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		days = append(days, strings.TrimPrefix(k.Name, "stats:webhooks:"))
	}
	_ = json.NewEncoder(rw).Encode(map[string]any{"days": days, "complete": res.ListComplete, "cursor": res.Cursor})
}
