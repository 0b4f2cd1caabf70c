//go:build js && wasm

package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/r2"
)

type session struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	CustomerID string    `json:"customer_id"`
	Email      string    `json:"email"`
	IssuedAt   time.Time `json:"issued_at"`
}

type invoiceRow struct {
	ID        string `json:"id"`
	Number    string `json:"number"`
	AmountDue int64  `json:"amount_due"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
}

var errNoSession = errors.New("no session")

func currentSession(ns *kv.Namespace, r *http.Request) (session, error) {
	c, err := r.Cookie("tc_session")
	if err != nil {
		return session{}, errNoSession
	}
	v, err := ns.GetString("sess:"+c.Value, nil)
	if err != nil {
		return session{}, err
	}
	if v == kvNull {
		return session{}, errNoSession
	}
	var s session
	err = json.Unmarshal([]byte(v), &s)
	return s, err
}

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector(portalDB)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

// handleInvoices lists the customer's invoices from D1 through a KV cache.
func handleInvoices(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	s, err := currentSession(ns, r)
	if err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	key := "invoices:" + s.Tenant + ":" + s.CustomerID
	v, err := ns.GetString(key, &kv.GetOptions{CacheTTL: 20}) // EXPECT kvttl
	if err != nil {
		fail(w, err)
		return
	}
	if v != kvNull {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, v)
		return
	}
	db, err := openDB()
	if err != nil {
		fail(w, err)
		return
	}
	defer db.Close()
	rows, err := db.QueryContext(r.Context(), `SELECT id, number, amount_due, currency, status FROM invoices WHERE tenant = ? AND customer_id = ? ORDER BY issued_at DESC LIMIT 100`, s.Tenant, s.CustomerID)
	if err != nil {
		fail(w, err)
		return
	}
	defer rows.Close()
	var out []invoiceRow
	for rows.Next() {
		var row invoiceRow
		if err := rows.Scan(&row.ID, &row.Number, &row.AmountDue, &row.Currency, &row.Status); err != nil {
			fail(w, err)
			return
		}
		out = append(out, row)
	}
	body, _ := json.Marshal(out)
	_ = ns.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: 300})
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// handleInvoicePDF streams the PDF from R2; KV holds the object pointer.
func handleInvoicePDF(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	s, err := currentSession(ns, r)
	if err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	invoice := r.PathValue("invoice")
	ptr, err := ns.GetString("pdf:"+s.Tenant+":"+invoice, &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		fail(w, err)
		return
	}
	if ptr == kvNull {
		http.NotFound(w, r)
		return
	}
	bucket, err := r2.NewBucket(assetsBinding)
	if err != nil {
		fail(w, err)
		return
	}
	obj, err := bucket.Get(ptr)
	if err != nil || obj == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	io.Copy(w, obj.Body)

	cloudflare.WaitUntil(func() {
		key := "recent:" + s.Tenant + ":" + s.CustomerID
		prev, err := ns.GetString(key, nil)
		if err != nil {
			return
		}
		list := invoice
		if prev != kvNull {
			parts := strings.Split(prev, ",")
			list = invoice + "," + strings.Join(parts[:min(9, len(parts))], ",")
		}
		_ = ns.PutString(key, list, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}) // EXPECT kvrace
	})
}

// handleUploadReceipt stores a remittance PDF in R2 and a short-lived
// upload ticket in KV that the finance mailbox Worker picks up.
func handleUploadReceipt(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	s, err := currentSession(ns, r)
	if err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 20<<20))
	if err != nil {
		fail(w, err)
		return
	}
	bucket, err := r2.NewBucket(assetsBinding)
	if err != nil {
		fail(w, err)
		return
	}
	objKey := "receipts/" + s.Tenant + "/" + newID() + ".pdf"
	if _, err := bucket.Put(objKey, io.NopCloser(bytes.NewReader(data)), &r2.PutOptions{
		HTTPMetadata:   r2.HTTPMetadata{ContentType: "application/pdf"},
		CustomMetadata: map[string]string{"customer": s.CustomerID},
	}); err != nil {
		fail(w, err)
		return
	}
	ticket := newID()
	if err := ns.PutString("receipt-ticket:"+ticket, objKey, &kv.PutOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	}); err != nil {
		fail(w, err)
		return
	}
	if err := ns.PutString("receipt:"+s.Tenant+":"+ticket, objKey, &kv.PutOptions{
		Expiration: int(time.Now().Add(90 * 24 * time.Hour).UnixMilli()), // EXPECT kvttl
	}); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// handleMagicLink signs a customer in from the emailed link.
func handleMagicLink(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	key := "magic:" + r.PathValue("token")
	v, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if v == kvNull {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	var s session
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		fail(w, err)
		return
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	s.ID, s.IssuedAt = newID(), time.Now().UTC()
	body, _ := json.Marshal(s)
	if err := ns.PutString("sess:"+s.ID, string(body), &kv.PutOptions{ExpirationTTL: 8 * 3600}); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "tc_session", Value: s.ID, Path: "/", HttpOnly: true, Secure: true, MaxAge: 8 * 3600})
	http.Redirect(w, r, "/portal/invoices", http.StatusFound)
}

// handleClaimSubdomain gives a tenant a vanity portal host name.
func handleClaimSubdomain(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	s, err := currentSession(ns, r)
	if err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	sub := strings.ToLower(strings.TrimSpace(r.FormValue("subdomain")))
	key := "subdomain:" + sub
	owner, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if owner != kvNull {
		http.Error(w, "taken", http.StatusConflict)
		return
	}
	if err := ns.PutString(key, s.Tenant, nil); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type branding struct {
	Logo   string `json:"logo"`
	Accent string `json:"accent"`
}

func handleBranding(w http.ResponseWriter, r *http.Request) {
	ns, err := edge()
	if err != nil {
		fail(w, err)
		return
	}
	tenant := r.URL.Query().Get("tenant")
	v, err := ns.GetString("branding:"+tenant, &kv.GetOptions{CacheTTL: 45}) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	var b branding
	if err := json.Unmarshal([]byte(v), &b); err != nil {
		fail(w, err)
		return
	}
	if b.Accent == "" {
		b.Accent = "#0a5"
	}
	json.NewEncoder(w).Encode(b)
}
