//go:build js && wasm

// Package gate serves the staff scanners at the gallery entrances.
package gate

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/edge/kvstore"
	"example.com/heron/internal/events"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/keys"
)

// compPerDay is how many complimentary tickets a member may claim a day.
const compPerDay = 2

var errFull = httpx.Errorf(http.StatusConflict, "slot is full")

// Service is the gate service.
type Service struct {
	ns       *kv.Namespace
	root     *kvstore.Bucket
	capacity *kvstore.Actor
	bus      *events.Bus
	now      func() time.Time
}

// New wires a Service. capacity must own a root bucket.
func New(st *kvstore.Store, capacity *kvstore.Actor, bus *events.Bus) *Service {
	return &Service{
		ns:       st.Namespace(),
		root:     st.Root(),
		capacity: capacity,
		bus:      bus,
		now:      time.Now,
	}
}

// ScanReq is one scan of a QR code.
type ScanReq struct {
	TicketID  domain.TicketID `json:"ticket_id"`
	ScannerID string          `json:"scanner_id"`
	Gate      string          `json:"gate"`
}

// ScanResp tells the scanner whether to admit.
type ScanResp struct {
	Admit  bool   `json:"admit"`
	Reason string `json:"reason,omitempty"`
	Holder string `json:"holder,omitempty"`
	Notice string `json:"notice"`
}

// Scan validates a ticket and admits the visitor.
func (s *Service) Scan(ctx context.Context, req ScanReq) (ScanResp, error) {
	now := s.now()
	if err := s.ns.PutString("gate:last-scan", req.Gate+" "+now.Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		return ScanResp{}, err
	}
	resp := ScanResp{Notice: s.notice()}
	raw, ok, err := s.root.Get(keys.Ticket(req.TicketID))
	if err != nil {
		return ScanResp{}, err
	}
	if !ok {
		resp.Reason = "unknown ticket"
		return resp, nil
	}
	var t domain.Ticket
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		return ScanResp{}, err
	}
	slot, err := s.slot(t.SlotID)
	if err != nil {
		return ScanResp{}, err
	}
	if !slot.Open(now) {
		resp.Reason = "outside entry window"
		return resp, nil
	}
	if err := s.admit(ctx, slot); err != nil {
		if errors.Is(err, errFull) {
			resp.Reason = "slot is full"
			return resp, nil
		}
		return ScanResp{}, err
	}
	// The pass lets the visitor leave and come back until the slot ends.
	pass := max(time.Until(slot.End), 10*time.Second) // EXPECT kvttl
	if err := s.root.Put(keys.SlotPass(t.SlotID, t.ID), req.Gate, &kvstore.PutOpts{TTL: pass}); err != nil {
		return ScanResp{}, err
	}
	if err := s.ns.PutString(keys.Scan(t.ID, req.ScannerID, now), req.Gate, &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600}); err != nil {
		return ScanResp{}, err
	}
	ev := events.TicketScanned{TicketID: t.ID, SlotID: t.SlotID, MemberID: t.MemberID, ScannerID: req.ScannerID, Gate: req.Gate, At: now}
	if err := s.bus.Publish(ctx, ev); err != nil {
		return ScanResp{}, err
	}
	resp.Admit, resp.Holder = true, t.Holder
	return resp, nil
}

// notice is the message shown on the scanner's status line.
func (s *Service) notice() string {
	v, err := s.ns.GetString("gate:notice", nil)
	if err != nil || v == "" { // EXPECT kvnull
		return "Welcome to the Heron"
	}
	return v
}

func (s *Service) slot(id domain.SlotID) (domain.Slot, error) {
	v, err := s.ns.GetString(keys.Slot(id), &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		return domain.Slot{}, err
	}
	if v == kvstore.Missing {
		return domain.Slot{}, httpx.Errorf(http.StatusNotFound, "unknown slot "+string(id))
	}
	var sl domain.Slot
	return sl, json.Unmarshal([]byte(v), &sl)
}

// admit takes one place in the slot.
func (s *Service) admit(ctx context.Context, slot domain.Slot) error {
	key := keys.SlotCapacity(slot.ExhibitID, slot.Start)
	v, ok, err := s.capacity.Get(ctx, key)
	if err != nil {
		return err
	}
	left := slot.Capacity
	if ok {
		if left, err = strconv.Atoi(v); err != nil {
			return err
		}
	}
	if left <= 0 {
		return errFull
	}
	return s.capacity.Put(ctx, key, strconv.Itoa(left-1), 0) // EXPECT kvcounter
}

// RegisterScanner adds a device to its gate's roster.
func (s *Service) RegisterScanner(ctx context.Context, sc domain.Scanner) (struct{}, error) {
	key := "scanners:" + keys.Segment(sc.Gate)
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return struct{}{}, err
	}
	var roster []domain.Scanner
	if v != kvstore.Missing {
		if err := json.Unmarshal([]byte(v), &roster); err != nil {
			return struct{}{}, err
		}
	}
	sc.Registered = s.now()
	roster = append(roster, sc)
	b, err := json.Marshal(roster)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.ns.PutString(key, string(b), nil) // EXPECT kvrace
}

// Incident is a note a steward files about a gate.
type Incident struct {
	Gate    string `json:"gate"`
	StaffID string `json:"staff_id"`
	Note    string `json:"note"`
}

// LogIncident appends a note to the gate's log for the day.
func (s *Service) LogIncident(ctx context.Context, in Incident) (struct{}, error) {
	now := s.now()
	key := "incidents:" + keys.Segment(in.Gate) + ":" + keys.Day(now)
	old, err := s.ns.GetString(key, nil)
	if err != nil {
		return struct{}{}, err
	}
	if old == kvstore.Missing {
		old = ""
	}
	line := now.Format("15:04") + " " + in.StaffID + ": " + in.Note + "\n"
	return struct{}{}, s.ns.PutString(key, old+line, &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
}

type SlotPageReq struct {
	SlotID domain.SlotID `json:"slot_id"`
	Cursor string        `json:"cursor"`
}

// SlotPage is one page of passes.
type SlotPage struct {
	Tickets []string `json:"tickets"`
	Cursor  string   `json:"cursor,omitempty"`
	Done    bool     `json:"done"`
}

// SlotPasses returns one page of the passes issued for a slot; the scanner
// app pages with the cursor.
func (s *Service) SlotPasses(ctx context.Context, req SlotPageReq) (SlotPage, error) {
	prefix := "pass:" + keys.Segment(string(req.SlotID)) + ":"
	res, err := s.ns.List(&kv.ListOptions{
		Prefix: prefix,
		Cursor: req.Cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return SlotPage{}, err
	}
	page := SlotPage{Cursor: res.Cursor, Done: res.ListComplete}
	for _, k := range res.Keys {
		page.Tickets = append(page.Tickets, strings.TrimPrefix(k.Name, prefix))
	}
	return page, nil
}

type CompReq struct {
	MemberID string        `json:"member_id"`
	SlotID   domain.SlotID `json:"slot_id"`
}

// CompTicket issues a members' complimentary ticket within the daily quota.
func (s *Service) CompTicket(ctx context.Context, req CompReq) (domain.Ticket, error) {
	var t domain.Ticket
	now := s.now()
	key := "comp-quota:" + keys.Segment(req.MemberID) + ":" + keys.Day(now)
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return t, err
	}
	used := 0
	if v != kvstore.Missing {
		used, _ = strconv.Atoi(v)
	}
	if used >= compPerDay {
		return t, httpx.Errorf(http.StatusTooManyRequests, "daily complimentary tickets used")
	}
	if err := s.ns.PutString(key, strconv.Itoa(used+1), &kv.PutOptions{ExpirationTTL: 2 * 24 * 3600}); err != nil { // EXPECT kvcounter
		return t, err
	}
	t = domain.Ticket{ID: domain.TicketID("C" + strconv.FormatInt(now.UnixNano(), 36)), SlotID: req.SlotID, MemberID: req.MemberID, Status: domain.TicketIssued, IssuedAt: now}
	b, _ := json.Marshal(t)
	return t, s.root.Put(keys.Ticket(t.ID), string(b), &kvstore.PutOpts{TTL: 180 * 24 * time.Hour})
}

// VisitCounter counts each member's visits for the loyalty programme.
type VisitCounter struct {
	B *kvstore.Bucket
}

// Notify implements events.Subscriber.
func (v VisitCounter) Notify(ctx context.Context, e events.Event) error {
	ev, ok := e.(events.TicketScanned)
	if !ok || ev.MemberID == "" {
		return nil
	}
	raw, found, err := v.B.Get(ev.MemberID)
	if err != nil {
		return err
	}
	n := 0
	if found {
		if n, err = strconv.Atoi(raw); err != nil {
			return err
		}
	}
	return v.B.Put(ev.MemberID, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// LobbyBoard returns a subscriber that refreshes the lobby display with
// the latest admission.
func LobbyBoard(b *kvstore.Bucket) events.SubscriberFunc {
	return func(ctx context.Context, e events.Event) error {
		ev, ok := e.(events.TicketScanned)
		if !ok {
			return nil
		}
		return b.Put("lobby", ev.Gate+" "+ev.At.Format("15:04:05"), nil) // EXPECT kvhotkey
	}
}
