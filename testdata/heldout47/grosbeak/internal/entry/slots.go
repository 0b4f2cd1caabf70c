//go:build js && wasm

// Package entry serves timed-entry slots and QR entry codes.
package entry

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"grosbeak/internal/keys"
	"grosbeak/internal/kvstore"
	"grosbeak/internal/museum"
)

// Service holds the bindings the entry handlers use.
type Service struct {
	Slots *kvstore.Store
	Codes *kvstore.Store
	Now   func() time.Time
}

type reserveRequest struct {
	Date     string `json:"date"`
	SlotID   string `json:"slot_id"`
	Party    int    `json:"party"`
	Holder   string `json:"holder"`
	Group    string `json:"group,omitempty"`
	StepFree bool   `json:"step_free,omitempty"`
}

type reserveResponse struct {
	HoldID    string   `json:"hold_id"`
	Receipt   string   `json:"receipt"`
	Codes     []string `json:"codes"`
	Remaining int      `json:"remaining"`
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func slotKey(date, id string) string {
	return keys.SlotPrefix + date + ":" + id
}

// Reserve places a hold on a slot, books it, and issues one QR code per
// visitor in the party.
func (s *Service) Reserve(w http.ResponseWriter, r *http.Request) {
	var req reserveRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if req.Party <= 0 || req.Party > 12 {
		http.Error(w, "party size must be 1-12", http.StatusBadRequest)
		return
	}
	ns := s.Slots.Namespace()
	now := s.Now()

	key := slotKey(req.Date, req.SlotID)
	raw, err := ns.GetString(key, &kv.GetOptions{CacheTTL: keys.PageEdgeCache})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	var slot museum.Slot
	if err := json.Unmarshal([]byte(raw), &slot); err != nil {
		http.Error(w, "corrupt slot", http.StatusInternalServerError)
		return
	}
	if slot.Remaining < req.Party {
		http.Error(w, "slot full", http.StatusConflict)
		return
	}

	// Hold the seats while the payment sheet is open.
	holdID := newID(8)
	key = keys.SlotHoldPrefix + req.SlotID + ":" + holdID
	opts := &kv.PutOptions{
		ExpirationTTL: keys.HoldTTL, // EXPECT kvttl
	}
	if err := ns.PutString(key, strconv.Itoa(req.Party), opts); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	// Group bookings reserve a display name for the day's signage.
	if req.Group != "" {
		key := keys.GroupClaimPrefix + req.Date + ":" + strings.ToLower(req.Group)
		taken, err := ns.GetString(key, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if taken != "<null>" {
			http.Error(w, "group name already booked for this day", http.StatusConflict)
			return
		}
		if err := ns.PutString(key, req.Holder, &kv.PutOptions{ExpirationTTL: keys.SlotTTL}); err != nil { // EXPECT kvrace
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		slot.Access |= museum.AccessGroup
	}

	slot.Remaining -= req.Party
	body, err := json.Marshal(slot)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key = slotKey(req.Date, req.SlotID)
	opts = &kv.PutOptions{ExpirationTTL: keys.SlotTTL}
	if err = ns.PutString(key, string(body), opts); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	// Receipt, keyed by a fresh ID, kept for a month.
	receipt := newID(12)
	key = keys.SlotReceiptPrefix + receipt
	raw = fmt.Sprintf(`{"slot":%q,"date":%q,"party":%d,"holder":%q,"at":%d}`,
		req.SlotID, req.Date, req.Party, req.Holder, now.Unix())
	opts = &kv.PutOptions{ExpirationTTL: keys.ReceiptTTL}
	if err = ns.PutString(key, raw, opts); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	// One QR code per visitor, each under its own key.
	access := slot.Access | museum.AccessGeneral
	if req.StepFree {
		access |= museum.AccessStepFree
	}
	codes := make([]string, 0, req.Party)
	for i := 0; i < req.Party; i++ {
		code := newID(10)
		ec := museum.EntryCode{Code: code, SlotID: req.SlotID, Access: access, Issued: now, Holder: req.Holder}
		b, err := json.Marshal(ec)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		key := keys.QRPrefix + code
		if err := s.Codes.PutTTL(key, string(b), keys.QRCodeTTL*time.Second); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		codes = append(codes, code)
	}

	// Release the hold now that the booking is written.
	key = keys.SlotHoldPrefix + req.SlotID + ":" + holdID
	if err = ns.Delete(key); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	if err = ns.PutString(keys.LastBookingKey, now.Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(reserveResponse{
		HoldID:    holdID,
		Receipt:   receipt,
		Codes:     codes,
		Remaining: slot.Remaining,
	})
}

// Day lists one page of a day's slots and hands back the cursor.
func (s *Service) Day(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	if date == "" {
		date = s.Now().Format("2006-01-02")
	}
	res, err := s.Slots.Namespace().List(&kv.ListOptions{
		Prefix: keys.SlotPrefix + date + ":",
		Limit:  100,
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := struct {
		Slots  []string `json:"slots"`
		Cursor string   `json:"cursor,omitempty"`
	}{}
	for _, k := range res.Keys {
		out.Slots = append(out.Slots, strings.TrimPrefix(k.Name, keys.SlotPrefix+date+":"))
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Summary totals capacity and remaining seats for a day.
func (s *Service) Summary(w http.ResponseWriter, r *http.Request) {
	date := r.URL.Query().Get("date")
	ns := s.Slots.Namespace()
	var capacity, remaining, count int
	opts := &kv.ListOptions{Prefix: keys.SlotPrefix + date + ":"}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var slot museum.Slot
			if json.Unmarshal([]byte(raw), &slot) != nil {
				continue
			}
			capacity += slot.Capacity
			remaining += slot.Remaining
			count++
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	fmt.Fprintf(w, `{"date":%q,"slots":%d,"capacity":%d,"remaining":%d}`, date, count, capacity, remaining)
}

// Holds reports how many seats are on hold for a slot, reading at most a
// few pages.
func (s *Service) Holds(w http.ResponseWriter, r *http.Request) {
	slotID := r.URL.Query().Get("slot")
	ns := s.Slots.Namespace()
	const maxPages = 3
	held := 0
	opts := &kv.ListOptions{Prefix: keys.SlotHoldPrefix + slotID + ":", Limit: 1000}
	partial := false
pages:
	for page := 0; ; page++ {
		if page == maxPages {
			partial = true
			break pages
		}
		res, err := ns.List(opts)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		held += len(res.Keys)
		if res.ListComplete {
			break pages
		}
		opts.Cursor = res.Cursor
	}
	fmt.Fprintf(w, `{"slot":%q,"holds":%d,"partial":%t}`, slotID, held, partial)
}
