//go:build js && wasm

// Package waitlist runs the walk-in waitlist: guests join from a QR code at the
// door, the host promotes the next party when a table frees up.
package waitlist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// ErrEmpty is returned by Promote when nobody is waiting.
var ErrEmpty = errors.New("waitlist: nobody waiting")

// Board serves the waitlists of all restaurants from one isolate.
type Board struct {
	ns    *edgekv.Namespace
	clock clock.Clock
	ttl   time.Duration

	// mu serialises joins within this isolate.
	mu sync.Mutex

	// locks holds one mutex per waitlist key for host actions.
	locksMu sync.Mutex
	locks   map[string]*sync.Mutex

	// tickets is a one-slot semaphore around ticket numbering.
	tickets chan struct{}

	// closingAt returns when the restaurant stops seating walk-ins on a day.
	closingAt func(restaurant, date string) time.Time
}

// NewBoard keeps waitlists in the WAITLIST binding.
func NewBoard(binding string, clk clock.Clock, ttl time.Duration, closingAt func(restaurant, date string) time.Time) *Board {
	return &Board{
		ns:        edgekv.Open(binding, ""),
		clock:     clk,
		ttl:       ttl,
		locks:     make(map[string]*sync.Mutex),
		tickets:   make(chan struct{}, 1),
		closingAt: closingAt,
	}
}

// JoinRequest adds a party to today's waitlist.
type JoinRequest struct {
	Restaurant string `json:"restaurant"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Party      int    `json:"party"`
}

// JoinResponse tells the party where they stand.
type JoinResponse struct {
	EntryID  string `json:"entry_id"`
	Ticket   int    `json:"ticket"`
	Position int    `json:"position"`
}

// Join appends a party to the restaurant's waitlist for today.
func (b *Board) Join(ctx context.Context, req *JoinRequest) (*JoinResponse, error) {
	if req.Party < 1 {
		return nil, fmt.Errorf("waitlist: party of %d", req.Party)
	}
	now := b.clock.Now()
	date := now.Format(model.DayLayout)
	key := model.WaitlistKey(req.Restaurant, date)

	b.mu.Lock()
	defer b.mu.Unlock()

	wl := &model.Waitlist{Restaurant: req.Restaurant, Date: date}
	if err := b.ns.Load(key, wl); err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	ticket, err := b.nextTicket(req.Restaurant, date)
	if err != nil {
		return nil, err
	}
	e := model.WaitEntry{
		ID:       newEntryID(),
		Name:     req.Name,
		Phone:    req.Phone,
		Party:    req.Party,
		Ticket:   ticket,
		JoinedAt: now,
	}
	wl.Entries = append(wl.Entries, e)
	wl.Version++
	if err := b.ns.Store(key, wl, b.ttl); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &JoinResponse{EntryID: e.ID, Ticket: ticket, Position: len(wl.Entries)}, nil
}

// nextTicket hands out the next ticket number printed on the guest's screen.
func (b *Board) nextTicket(restaurant, date string) (int, error) {
	b.tickets <- struct{}{}
	defer func() { <-b.tickets }()

	ns, err := b.ns.Raw()
	if err != nil {
		return 0, err
	}
	key := "wl-seq:" + restaurant + ":" + date
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return 0, err
	}
	n := 0
	if raw != "" { // EXPECT kvnull
		// A corrupt counter restarts the day's numbering rather than blocking the door.
		n, _ = strconv.Atoi(raw)
	}
	n++
	if err := ns.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 36 * 3600}); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

func (b *Board) lockFor(key string) *sync.Mutex {
	b.locksMu.Lock()
	defer b.locksMu.Unlock()
	mu, ok := b.locks[key]
	if !ok {
		mu = &sync.Mutex{}
		b.locks[key] = mu
	}
	return mu
}

// Promote takes the party at the head of the waitlist and offers them a table
// until the restaurant stops seating walk-ins.
func (b *Board) Promote(ctx context.Context, restaurant string) (*model.WaitEntry, error) {
	now := b.clock.Now()
	date := now.Format(model.DayLayout)
	key := model.WaitlistKey(restaurant, date)

	mu := b.lockFor(key)
	mu.Lock()
	defer mu.Unlock()

	var wl model.Waitlist
	if err := b.ns.Load(key, &wl); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrEmpty
		}
		return nil, err
	}
	if len(wl.Entries) == 0 {
		return nil, ErrEmpty
	}
	head := wl.Entries[0]
	wl.Entries = wl.Entries[1:]
	wl.Version++
	if err := b.ns.Store(key, &wl, b.ttl); err != nil { // EXPECT kvrace
		return nil, err
	}

	offerFor := b.closingAt(restaurant, date).Sub(now)
	if err := b.ns.Put("wl-offer:"+head.ID, restaurant, offerFor); err != nil { // EXPECT kvttl
		return nil, err
	}
	return &head, nil
}

// Position reports where an entry stands. The board is read through the edge
// cache for a minute; guests refresh the page anyway.
func (b *Board) Position(ctx context.Context, restaurant, entryID string) (int, error) {
	key := model.WaitlistKey(restaurant, b.clock.Now().Format(model.DayLayout))
	raw, err := b.ns.GetCached(key, time.Minute)
	if errors.Is(err, edgekv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var wl model.Waitlist
	if err := wl.UnmarshalBinary([]byte(raw)); err != nil {
		return 0, err
	}
	return wl.Position(entryID), nil
}

// Offered reports whether the entry has an open table offer.
func (b *Board) Offered(entryID string) (bool, error) {
	_, err := b.ns.Get("wl-offer:" + entryID)
	if errors.Is(err, edgekv.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func newEntryID() string {
	buf := make([]byte, 8)
	if _, err := rand.Read(buf); err != nil {
		panic(err)
	}
	return hex.EncodeToString(buf)
}
