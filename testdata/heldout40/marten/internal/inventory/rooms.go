// Package inventory keeps the room inventory, availability and rate plans of
// a property in KV for the booking engine and the channel manager.
package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"marten/internal/kvstore"
)

const (
	roomPrefix  kvstore.Prefix = "inv/room/"
	blockPrefix kvstore.Prefix = "inv/blocks/"
	availPrefix kvstore.Prefix = "inv/avail/"
	gridPrefix  kvstore.Prefix = "inv/grid/"
)

// Room is one sellable room.
type Room struct {
	Number     string   `json:"number"`
	Type       string   `json:"type"`
	Floor      int      `json:"floor"`
	Features   []string `json:"features,omitempty"`
	OutOfOrder bool     `json:"ooo,omitempty"`
}

// RoomDB is the property database.
type RoomDB interface {
	Room(ctx context.Context, property, number string) (Room, error)
	SaveRoom(ctx context.Context, property string, room Room) error
	Allotment(ctx context.Context, property, roomType string, night time.Time) (int, error)
}

// Rooms is the room inventory of one property. The KV methods of the store
// are promoted.
type Rooms struct {
	*kvstore.Store
	db       RoomDB
	property string
	cacheTTL time.Duration
}

// NewRooms returns the inventory of property.
func NewRooms(s *kvstore.Store, db RoomDB, property string, cacheTTL time.Duration) *Rooms {
	return &Rooms{Store: s, db: db, property: property, cacheTTL: cacheTTL}
}

var ErrSoldOut = errors.New("inventory: no rooms left")

func (r *Rooms) roomKey(num string) string { return roomPrefix.Of(r.property + "/" + num) }

// Save writes a room to the database and then through to KV.
func (r *Rooms) Save(ctx context.Context, room Room) error {
	if err := r.db.SaveRoom(ctx, r.property, room); err != nil {
		return err
	}
	b, err := json.Marshal(room)
	if err != nil {
		return err
	}
	return r.Put(ctx, r.roomKey(room.Number), b)
}

// Room returns one room, from KV when cached.
func (r *Rooms) Room(ctx context.Context, num string) (Room, error) {
	var room Room
	raw, found, err := r.Lookup(ctx, r.roomKey(num))
	if err == nil && found && json.Unmarshal(raw, &room) == nil {
		return room, nil
	}
	room, err = r.db.Room(ctx, r.property, num)
	if err != nil {
		return Room{}, err
	}
	if b, err := json.Marshal(room); err == nil {
		_ = r.PutTTL(ctx, r.roomKey(num), b, r.cacheTTL)
	}
	return room, nil
}

// Block takes a room out of sale on the given nights (maintenance,
// deep-cleaning).
func (r *Rooms) Block(ctx context.Context, num string, nights ...string) error {
	key := blockPrefix.Of(r.property + "/" + num)
	var blocked []string
	raw, found, err := r.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if found {
		if err := json.Unmarshal(raw, &blocked); err != nil {
			return fmt.Errorf("blocks of %s: %w", num, err)
		}
	}
	blocked = append(blocked, nights...)
	b, _ := json.Marshal(blocked)
	return r.Put(ctx, key, b) // EXPECT kvrace
}

// SetOutOfOrder flags a room as out of order (or back in order) in the
// cached record the booking engine reads.
func (r *Rooms) SetOutOfOrder(ctx context.Context, num string, ooo bool) error {
	return r.Update(ctx, r.roomKey(num), func(cur []byte) ([]byte, error) {
		var room Room
		if cur != nil {
			if err := json.Unmarshal(cur, &room); err != nil {
				return nil, err
			}
		}
		room.Number, room.OutOfOrder = num, ooo
		return json.Marshal(room)
	})
}

// Numbers lists the room numbers cached for the property.
func (r *Rooms) Numbers(ctx context.Context) ([]string, error) {
	const maxPages = 20
	prefix := roomPrefix.Of(r.property + "/")
	var out []string
	cursor := ""
pages:
	for page := 0; page < maxPages; page++ {
		keys, next, err := r.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			out = append(out, k.Name[len(prefix):])
		}
		if next == "" {
			break pages
		}
		cursor = next
	}
	return out, nil
}

func (r *Rooms) availKey(roomType string, night time.Time) string {
	return availPrefix.Of(r.property + "/" + roomType + "/" + night.Format("2006-01-02"))
}

// Hold takes one room of a type off the sellable count of a night.
func (r *Rooms) Hold(ctx context.Context, roomType string, night time.Time) error {
	key := r.availKey(roomType, night)
	raw, err := r.Get(ctx, key)
	if err != nil {
		return err
	}
	left, err := strconv.Atoi(string(raw))
	if err != nil {
		return fmt.Errorf("availability %s: %w", key, err)
	}
	if left <= 0 {
		return ErrSoldOut
	}
	return r.Put(ctx, key, []byte(strconv.Itoa(left-1))) // EXPECT kvcounter|kvrace
}

// RefreshAvailability copies the allotment of the next nights from the
// database. The database is the source of truth; KV is what the booking
// engine reads.
func (r *Rooms) RefreshAvailability(ctx context.Context, roomType string, nights int) error {
	b := r.Begin()
	day := time.Now().Truncate(24 * time.Hour)
	for i := range nights {
		night := day.AddDate(0, 0, i)
		n, err := r.db.Allotment(ctx, r.property, roomType, night)
		if err != nil {
			return err
		}
		b.Put(r.availKey(roomType, night), kvstore.Decimal(int64(n)), 0)
	}
	return b.Commit(ctx)
}

const (
	gridRooms  = 1200
	gridNights = 730
	gridCell   = 32 // status, stay reference and rate code of one room-night
)

// SaveGrid stores the occupancy grid the planning board renders.
func (r *Rooms) SaveGrid(ctx context.Context, cell func(room, night int) [gridCell]byte) error {
	grid := make([]byte, gridRooms*gridNights*gridCell)
	for room := 0; room < gridRooms; room++ {
		for night := 0; night < gridNights; night++ {
			c := cell(room, night)
			copy(grid[(room*gridNights+night)*gridCell:], c[:])
		}
	}
	return r.Put(ctx, gridPrefix.Of(r.property), grid) // EXPECT kvlimits
}

const checkoutHold = 45 * time.Second

// HoldForCheckout keeps a room type aside while a booking-engine guest
// enters payment details; the hold lapses on its own if they walk away.
func (r *Rooms) HoldForCheckout(ctx context.Context, checkoutID, roomType string, night time.Time) error {
	val := []byte(roomType + "|" + night.Format("2006-01-02"))
	return r.PutTTL(ctx, "inv/checkout-hold/"+checkoutID, val, checkoutHold) // EXPECT kvttl
}
