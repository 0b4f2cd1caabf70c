//go:build js && wasm

// Package edge is the Worker in front of the booking service. It serves
// slot availability from KV (falling back to D1), draws and checks the
// booking form's captcha, and limits requests per client IP.
package edge

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

const (
	kvBinding = "PITTA_KV"
	dbBinding = "PITTA_DB"

	// kvNull is what GetString returns for a missing key.
	kvNull = "<null>"

	availabilityTTL = 300
	ipWindowSeconds = 30
	ipMaxRequests   = 20
)

// Handler returns the Worker's HTTP handler.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /availability/{office}/{date}", withKV(availability))
	mux.HandleFunc("GET /offices", withKV(officeList))
	mux.HandleFunc("GET /offices/{office}/days", withKV(officeDays))
	mux.HandleFunc("GET /captcha", withKV(newCaptcha))
	mux.HandleFunc("POST /bookings", withKV(submitBooking))
	return mux
}

type kvHandler func(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace)

// withKV binds the namespace for the current request and applies the per-IP
// limit before calling h.
func withKV(h kvHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := cloudflare.NewKVNamespace(kvBinding)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		ok, err := allowIP(ns, r.Header.Get("CF-Connecting-IP"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(ipWindowSeconds))
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		h(w, r, ns)
	}
}

// allowIP counts requests per client IP within a short window.
func allowIP(ns *cloudflare.KVNamespace, ip string) (bool, error) {
	if ip == "" {
		return true, nil
	}
	key := "rl:edge:" + ip
	v, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(v)
	if n >= ipMaxRequests {
		return false, nil
	}
	err = ns.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace|kvcounter
		Expiration: int(time.Now().Unix()) + ipWindowSeconds, // EXPECT kvttl
	})
	return true, err
}

func openDB() (*sql.DB, error) {
	c, err := d1.OpenConnector(dbBinding)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

type dayView struct {
	Office string   `json:"office"`
	Date   string   `json:"date"`
	Free   []string `json:"free"`
}

// availability serves the free slots of one office and day. The Worker
// caches the rendered JSON; the booking API invalidates it on change.
func availability(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace) {
	office, date := r.PathValue("office"), r.PathValue("date")
	key := "avail:" + office + ":" + date
	cached, err := ns.GetString(key, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 20, // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if cached == "" { // EXPECT kvnull
		view, err := loadDay(r, office, date)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		raw, _ := json.Marshal(view)
		cached = string(raw)
		if err := ns.PutString(key, cached, &cloudflare.KVNamespacePutOptions{ExpirationTTL: availabilityTTL}); err != nil {
			fmt.Println("cache availability:", err)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(cached))
}

func loadDay(r *http.Request, office, date string) (*dayView, error) {
	db, err := openDB()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(r.Context(),
		`SELECT start FROM slots WHERE office = ? AND day = ? AND booked < capacity ORDER BY start`, office, date)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	view := &dayView{Office: office, Date: date}
	for rows.Next() {
		var start string
		if err := rows.Scan(&start); err != nil {
			return nil, err
		}
		view.Free = append(view.Free, start)
	}
	return view, rows.Err()
}

// officeList serves the office picker in the order staff chose.
func officeList(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace) {
	order, err := ns.GetString("offices:order", &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if order == kvNull {
		order = "[]"
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(order))
}

// officeDays lists the days for which an office has published slots.
func officeDays(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace) {
	office := r.PathValue("office")
	prefix := "avail:" + office + ":"
	res, err := ns.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 1000}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	type day struct {
		Date string `json:"date"`
		Free int    `json:"free"`
	}
	days := make([]day, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == kvNull {
			continue
		}
		var v dayView
		if json.Unmarshal([]byte(raw), &v) != nil {
			continue
		}
		days = append(days, day{Date: strings.TrimPrefix(k.Name, prefix), Free: len(v.Free)})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(days)
}

type submission struct {
	Office    string `json:"office"`
	Date      string `json:"date"`
	Start     string `json:"start"`
	Service   string `json:"service"`
	CaptchaID string `json:"captcha_id"`
	Answer    string `json:"captcha_answer"`
}

// submitBooking checks the captcha at the edge and queues the request in
// D1 for the booking API to confirm.
func submitBooking(w http.ResponseWriter, r *http.Request, ns *cloudflare.KVNamespace) {
	var s submission
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if !newCaptchaFor(ns).Verify(s.CaptchaID, s.Answer, true) {
		http.Error(w, "captcha answer does not match", http.StatusForbidden)
		return
	}
	db, err := openDB()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, err = db.ExecContext(r.Context(),
		`INSERT INTO booking_requests (office, day, start, service, session, received_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.Office, s.Date, s.Start, s.Service, sessionCookie(r), time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	last := fmt.Sprintf(`{"office":%q,"at":%q}`, s.Office, time.Now().UTC().Format(time.RFC3339))
	if err := ns.PutString("edge:last-booking-post", last, nil); err != nil { // EXPECT kvhotkey
		fmt.Println("last booking post:", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func sessionCookie(r *http.Request) string {
	c, err := r.Cookie("pitta_session")
	if errors.Is(err, http.ErrNoCookie) {
		return ""
	}
	return c.Value
}
