//go:build js && wasm

// Command doorworker is the Worker the door scanners and the fan site call.
// Tickets (PDF and wallet passes) live in R2; KV holds small pointers and the
// per-event manifest; the single source of truth for "has this ticket been
// scanned" is the event's Durable Object.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	_ "github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/r2"
)

// kvNull is what GetString returns for a missing key.
const kvNull = "<null>"

type ticketPointer struct {
	TicketID string `json:"ticket_id"`
	EventID  string `json:"event_id"`
	FanID    string `json:"fan_id"`
	Blob     string `json:"blob"`
	Gen      int    `json:"gen"`
}

type doorMode struct {
	Offline    bool     `json:"offline"`
	OpenGates  []string `json:"open_gates"`
	AllowReent bool     `json:"allow_reentry"`
}

type cartLine struct {
	EventID string `json:"event_id"`
	Seat    string `json:"seat"`
	Price   int    `json:"price_cents"`
}

type app struct {
	tickets *cloudflare.KVNamespace
	edge    *cloudflare.KVNamespace
	carts   *cloudflare.KVNamespace
	passes  *r2.Bucket
	scans   *cloudflare.DurableObjectNamespace
	db      *sql.DB
}

func (a *app) ticket(id string) (*ticketPointer, error) {
	v, err := a.tickets.GetString("ticket:"+id, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if v == kvNull {
		return nil, nil
	}
	var tp ticketPointer
	if err := json.Unmarshal([]byte(v), &tp); err != nil {
		return nil, err
	}
	return &tp, nil
}

func (a *app) mode(eventID string) (doorMode, error) {
	var m doorMode
	v, err := a.edge.GetString("doormode:"+eventID, nil) // EXPECT kvnull
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal([]byte(v), &m)
}

// handleScan validates a scanned barcode at a gate.
func (a *app) handleScan(w http.ResponseWriter, r *http.Request) {
	ticketID, gate := r.URL.Query().Get("t"), r.URL.Query().Get("gate")
	tp, err := a.ticket(ticketID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if tp == nil {
		http.Error(w, "unknown ticket", http.StatusNotFound)
		return
	}
	m, err := a.mode(tp.EventID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	status := http.StatusOK
	if m.Offline {
		status = a.scanOffline(tp)
	} else {
		stub, err := a.scans.Get(a.scans.IdFromName(tp.EventID))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		req, _ := http.NewRequest(http.MethodPost, "https://scans/"+tp.TicketID+"?gen="+strconv.Itoa(tp.Gen), nil)
		res, err := stub.Fetch(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		res.Body.Close()
		status = res.StatusCode
	}

	cloudflare.WaitUntil(func() {
		_, _ = a.db.ExecContext(context.Background(),
			`insert into scans (ticket_id, gate, at, status) values (?, ?, ?, ?)`, tp.TicketID, gate, time.Now().Unix(), status)
		_, _ = a.db.ExecContext(context.Background(), `update gates set scans = scans + 1 where id = ?`, gate)
		stamp := fmt.Sprintf(`{"gate":%q,"ticket":%q,"at":%d}`, gate, tp.TicketID, time.Now().Unix())
		_ = a.edge.PutString("door:last-scan", stamp, nil) // EXPECT kvhotkey
		a.bumpGate(gate)
	})
	w.WriteHeader(status)
}

// scanOffline is used when the promoter flips a venue to offline mode and the
// scanners talk to the nearest colo only.
func (a *app) scanOffline(tp *ticketPointer) int {
	key := "scanned:" + tp.TicketID
	v, err := a.edge.GetString(key, nil)
	if err != nil {
		return http.StatusBadGateway
	}
	if v != kvNull {
		return http.StatusConflict
	}
	if err := a.edge.PutString(key, time.Now().UTC().Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace
		ExpirationTTL: 7 * 24 * 3600,
	}); err != nil {
		return http.StatusBadGateway
	}
	return http.StatusOK
}

func (a *app) bumpGate(gate string) {
	key := "gate:" + gate + ":scan-count"
	v, err := a.edge.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if v != kvNull {
		n, _ = strconv.Atoi(v)
	}
	_ = a.edge.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400}) // EXPECT kvcounter|kvrace
}

// handlePass streams a wallet pass from R2, looked up through its KV pointer.
func (a *app) handlePass(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	blob, err := a.tickets.GetString("pass:"+id, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if blob == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	obj, err := a.passes.Get(blob)
	if err != nil || obj == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.apple.pkpass")
	_, _ = io.Copy(w, obj.Body)
}

// handleIssuePass stores a freshly rendered pass in R2 and its pointer in KV.
func (a *app) handleIssuePass(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	blob := "passes/" + id + ".pkpass"
	if _, err := a.passes.Put(blob, io.NopCloser(bytes.NewReader(body)), &r2.PutOptions{
		HTTPMetadata: r2.HTTPMetadata{ContentType: "application/vnd.apple.pkpass"},
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	endsAt, err := strconv.ParseInt(r.URL.Query().Get("ends"), 10, 64)
	if err != nil {
		http.Error(w, "ends", http.StatusBadRequest)
		return
	}
	if err := a.tickets.PutString("pass:"+id, blob, &cloudflare.KVNamespacePutOptions{
		Expiration: int(max(endsAt, time.Now().Add(time.Hour).Unix())) + 7*24*3600,
	}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// handleRescanGrace lets a fan who stepped out come back in shortly after.
func (a *app) handleRescanGrace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := a.edge.PutString("reentry:"+id, "1", &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleEmbargo hides an announcement until the promoter's chosen moment.
func (a *app) handleEmbargo(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	lift := time.Now().Add(48 * time.Hour)
	err := a.edge.PutString("embargo:"+id, "1", &cloudflare.KVNamespacePutOptions{
		Expiration: int(lift.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAvailability is the public "seats left" badge.
func (a *app) handleAvailability(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := a.edge.GetString("avail:"+id, &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v == kvNull {
		_, _ = w.Write([]byte(`{"available":null}`))
		return
	}
	fmt.Fprintf(w, `{"available":%s}`, v)
}

// handleCapacity reports the sellable capacity the promoter configured.
func (a *app) handleCapacity(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := a.edge.GetString("capacity:"+id, &cloudflare.KVNamespaceGetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	capacity, err := strconv.Atoi(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, `{"capacity":%d,"per_order":%d}`, capacity, min(capacity/100+2, 10))
}

// handleAddToCart adds a seat to the signed-in fan's cart.
func (a *app) handleAddToCart(w http.ResponseWriter, r *http.Request) {
	sid, err := r.Cookie("sid")
	if err != nil {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	var line cartLine
	if err := json.NewDecoder(r.Body).Decode(&line); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := "cart:" + sid.Value
	var cart []cartLine
	v, err := a.carts.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if v != kvNull {
		_ = json.Unmarshal([]byte(v), &cart)
	}
	cart = append(cart, line)
	buf, _ := json.Marshal(cart)
	if err := a.carts.PutString(key, string(buf), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 1800}); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleRevokedList returns ticket IDs the promoter cancelled, for scanners
// that cache a deny list.
func (a *app) handleRevokedList(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("id")
	var ids []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "revoked:" + eventID + ":"}
	for {
		res, err := a.tickets.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "revoked:"+eventID+":"))
		}
		opts.Cursor = res.Cursor
	}
	_ = json.NewEncoder(w).Encode(ids)
}

// handleManifest lists the tickets of an event for a scanner warm-up, within a
// page budget so a huge show does not exhaust the invocation's subrequests.
func (a *app) handleManifest(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("id")
	prefix := "ticket:" + eventID + ":"
	var names []string
	cursor := r.URL.Query().Get("cursor")
	for page := 0; page < 5; page++ {
		res, err := a.tickets.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		cursor = res.Cursor
		if res.ListComplete {
			cursor = ""
			break
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": cursor})
}

// handleGateKeys lists gate configuration keys for the venue setup screen.
func (a *app) handleGateKeys(w http.ResponseWriter, r *http.Request) {
	venue := r.PathValue("venue")
	var names []string
	res, err := a.edge.List(&cloudflare.KVNamespaceListOptions{Prefix: "gatecfg:" + venue + ":", Limit: 5000}) // EXPECT kvlimits
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for !res.ListComplete {
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if len(names) > 2000 {
			break
		}
		res, err = a.edge.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
	}
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	_ = json.NewEncoder(w).Encode(names)
}

// nightly refreshes each event's door manifest pointer once per cron tick.
func (a *app) nightly(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	rows, err := a.db.QueryContext(ctx, `select id, manifest_blob from events where doors_at > ? and doors_at < ?`,
		ev.ScheduledTime.Unix(), ev.ScheduledTime.Add(48*time.Hour).Unix())
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, blob string
		if err := rows.Scan(&id, &blob); err != nil {
			return err
		}
		if err := a.edge.PutString("manifest:"+id, blob, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3 * 24 * 3600}); err != nil {
			return err
		}
		if err := a.edge.PutString("cron:progress", id, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return a.edge.PutString("cron:last-run", ev.ScheduledTime.UTC().Format(time.RFC3339), nil)
}

func main() {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	tickets, err := cloudflare.NewKVNamespace("TICKETS")
	must(err)
	edge, err := cloudflare.NewKVNamespace("EDGE")
	must(err)
	carts, err := cloudflare.NewKVNamespace("CARTS")
	must(err)
	passes, err := r2.NewBucket("PASSES")
	must(err)
	scans, err := cloudflare.NewDurableObjectNamespace("SCANS")
	must(err)
	db, err := sql.Open("d1", "DB")
	must(err)
	a := &app{tickets: tickets, edge: edge, carts: carts, passes: passes, scans: scans, db: db}

	cron.ScheduleTaskNonBlock(a.nightly)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /scan", a.handleScan)
	mux.HandleFunc("GET /pass/{id}", a.handlePass)
	mux.HandleFunc("PUT /pass/{id}", a.handleIssuePass)
	mux.HandleFunc("POST /reentry/{id}", a.handleRescanGrace)
	mux.HandleFunc("POST /embargo/{id}", a.handleEmbargo)
	mux.HandleFunc("GET /events/{id}/availability", a.handleAvailability)
	mux.HandleFunc("GET /events/{id}/capacity", a.handleCapacity)
	mux.HandleFunc("POST /cart", a.handleAddToCart)
	mux.HandleFunc("GET /events/{id}/revoked", a.handleRevokedList)
	mux.HandleFunc("GET /events/{id}/manifest", a.handleManifest)
	mux.HandleFunc("GET /venues/{venue}/gates", a.handleGateKeys)
	workers.Serve(mux)
}
