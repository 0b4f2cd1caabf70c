//go:build js && wasm

// Package waitlist runs the walk-in waitlist: guests join from a QR code at
// the door, confirm their phone number with an SMS code and get a text when
// their table is ready.
package waitlist

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"junco/internal/config"
	"junco/internal/edgekv"
	"junco/internal/keys"
)

// Entry is one party on the waitlist.
type Entry struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Phone    string    `json:"phone"`
	Party    int       `json:"party"`
	JoinedAt time.Time `json:"joined_at"`
	Verified bool      `json:"verified"`
	Resends  int       `json:"resends"`
}

// SMS sends a text message; the Worker wires it to the SMS provider's API.
type SMS interface {
	Send(phone, body string) error
}

// codeIssuer mints SMS verification codes.
type codeIssuer struct {
	ns     *kv.Namespace
	TTL    time.Duration
	Digits int
}

func (c codeIssuer) issue(entryID string) (string, error) {
	code := ""
	for range c.Digits {
		n, _ := rand.Int(rand.Reader, big.NewInt(10))
		code += n.String()
	}
	opts := &kv.PutOptions{ExpirationTTL: int(c.TTL.Seconds())}
	return code, c.ns.PutString(keys.SMSCode(entryID), code, opts)
}

type Handler struct {
	Binding    string
	Cfg        config.Config
	SMS        SMS
	MaxResends int
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /waitlist", h.join)
	mux.HandleFunc("POST /waitlist/{id}/verify", h.verify)
	mux.HandleFunc("POST /waitlist/{id}/resend", h.resend)
	mux.HandleFunc("GET /waitlist", h.list)
	mux.HandleFunc("DELETE /waitlist/{id}", h.leave)
}

func newID() string {
	var b [10]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (h *Handler) issuer(st *edgekv.Store) codeIssuer {
	return codeIssuer{ns: st.Namespace(), TTL: h.Cfg.TTL.SMSCode, Digits: 6}
}

func (h *Handler) join(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
		Party int    `json:"party"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Party < 1 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	e := Entry{ID: newID(), Name: in.Name, Phone: in.Phone, Party: in.Party, JoinedAt: time.Now().UTC()}
	if err := st.PutJSON(keys.WaitlistEntry(h.Cfg.RestaurantID, e.ID), e, 6*time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := h.enqueue(st, e); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	code, err := h.issuer(st).issue(e.ID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.SMS.Send(e.Phone, fmt.Sprintf("Your Junco waitlist code is %s", code))
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]string{"id": e.ID})
}

// enqueue adds the entry to today's ordered queue.
func (h *Handler) enqueue(st *edgekv.Store, e Entry) error {
	ns := st.Namespace()
	key := keys.Waitlist(h.Cfg.RestaurantID, keys.Day(e.JoinedAt))
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var queue []string
	if raw != edgekv.Null {
		if err := json.Unmarshal([]byte(raw), &queue); err != nil {
			return err
		}
	}
	queue = append(queue, e.ID)
	out, _ := json.Marshal(queue)
	return ns.PutString(key, string(out), &kv.PutOptions{ExpirationTTL: 86400}) // EXPECT kvrace
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ns := st.Namespace()
	stored, err := ns.GetString(keys.SMSCode(id), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if stored == "" { // EXPECT kvnull
		http.Error(w, "code expired", http.StatusGone)
		return
	}
	if stored != r.FormValue("code") {
		http.Error(w, "incorrect code", http.StatusForbidden)
		return
	}
	if err := ns.Delete(keys.SMSCode(id)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	entryKey := keys.WaitlistEntry(h.Cfg.RestaurantID, id)
	var e Entry
	if found, err := st.GetJSON(entryKey, &e); err != nil || !found {
		http.Error(w, "unknown entry", http.StatusNotFound)
		return
	}
	e.Verified = true
	if err := st.PutJSON(entryKey, e, 6*time.Hour); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) resend(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var e Entry
	if found, err := st.GetJSON(keys.WaitlistEntry(h.Cfg.RestaurantID, id), &e); err != nil || !found {
		http.Error(w, "unknown entry", http.StatusNotFound)
		return
	}
	attempts := e.Resends + 1
	if attempts > h.MaxResends {
		http.Error(w, "too many codes", http.StatusTooManyRequests)
		return
	}
	if err := st.Put(keys.SMSAttempts(e.Phone), fmt.Sprint(attempts), time.Hour); err != nil { // EXPECT kvcounter
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	c := h.issuer(st)
	c.TTL = 30 * time.Second // EXPECT kvttl
	code, err := c.issue(id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h.SMS.Send(e.Phone, fmt.Sprintf("Your new Junco code is %s", code))
	w.WriteHeader(http.StatusAccepted)
}

// list returns one page of entries for the host stand.
func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ns := st.Namespace()
	res, err := ns.List(&kv.ListOptions{
		Prefix: keys.PrefixWaitlistEntry + h.Cfg.RestaurantID + ":",
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	entries := make([]Entry, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == edgekv.Null {
			continue
		}
		var e Entry
		if json.Unmarshal([]byte(raw), &e) == nil {
			entries = append(entries, e)
		}
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	json.NewEncoder(w).Encode(map[string]any{"entries": entries, "cursor": next})
}

func (h *Handler) leave(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id := r.PathValue("id")
	if err := st.Delete(keys.WaitlistEntry(h.Cfg.RestaurantID, id)); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	// The QR page polls this tombstone to show "you left the list".
	_ = st.PutExpiring(fmt.Sprintf("wl:left:%s:%s", h.Cfg.RestaurantID, id), "1", 30*time.Second)
	w.WriteHeader(http.StatusNoContent)
}
