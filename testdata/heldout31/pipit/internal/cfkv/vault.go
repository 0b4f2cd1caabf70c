package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// ErrCodeUnknown is returned when a check-in code does not exist or has expired.
var ErrCodeUnknown = errors.New("check-in code unknown or expired")

const (
	codePrefix = "checkin-otp:"
	holdPrefix = "code-hold:"

	// holdSeconds is how long a room's next code stays reserved while the
	// lock vendor confirms programming.
	holdSeconds = 30

	maxListPages = 20
)

// DoorCode is a check-in code that opens one room for one stay.
type DoorCode struct {
	Code       string    `json:"code"`
	PropertyID string    `json:"property_id"`
	Room       string    `json:"room"`
	BookingID  string    `json:"booking_id"`
	ValidFrom  time.Time `json:"valid_from"`
}

type codeMeta struct {
	Room      string `json:"room"`
	BookingID string `json:"booking"`
}

// Vault stores door codes.
type Vault struct{ c *Client }

// NewVault returns a vault backed by c's namespace.
func NewVault(c *Client) *Vault { return &Vault{c: c} }

// Issue stores a code that expires at expiresUnix (seconds since the epoch).
func (v *Vault) Issue(ctx context.Context, dc DoorCode, expiresUnix int64) error {
	b, err := json.Marshal(dc)
	if err != nil {
		return err
	}
	_, err = v.c.api.WriteWorkersKVEntries(ctx, v.c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: v.c.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        codePrefix + dc.PropertyID + ":" + dc.Code,
			Value:      string(b),
			Expiration: int(expiresUnix),
			Metadata:   codeMeta{Room: dc.Room, BookingID: dc.BookingID},
		}},
	})
	return err
}

// Hold reserves the next code slot of a room while the lock is programmed.
func (v *Vault) Hold(ctx context.Context, propertyID, room, bookingID string) error {
	_, err := v.c.api.WriteWorkersKVEntries(ctx, v.c.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: v.c.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           holdPrefix + propertyID + ":" + room,
			Value:         bookingID,
			ExpirationTTL: holdSeconds, // EXPECT kvttl
		}},
	})
	return err
}

// Redeem exchanges a check-in code for its stay details. A code works once.
func (v *Vault) Redeem(ctx context.Context, propertyID, code string) (DoorCode, error) {
	key := codePrefix + propertyID + ":" + code
	b, err := v.c.api.GetWorkersKV(ctx, v.c.rc, cloudflare.GetWorkersKVParams{NamespaceID: v.c.ns, Key: key})
	if notFound(err) {
		return DoorCode{}, ErrCodeUnknown
	}
	if err != nil {
		return DoorCode{}, err
	}
	var dc DoorCode
	if err := json.Unmarshal(b, &dc); err != nil {
		return DoorCode{}, fmt.Errorf("decode door code: %w", err)
	}
	if _, err := v.c.api.DeleteWorkersKVEntry(ctx, v.c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: v.c.ns, Key: key}); err != nil { // EXPECT kvsession
		return DoorCode{}, fmt.Errorf("consume door code: %w", err)
	}
	return dc, nil
}

// ActiveRooms returns the rooms of a property that currently have a code,
// read from the key metadata so that no value has to be fetched.
func (v *Vault) ActiveRooms(ctx context.Context, propertyID string) (map[string]string, error) {
	prefix := codePrefix + propertyID + ":"
	rooms, cursor := map[string]string{}, ""
	for page := 0; page < maxListPages; page++ {
		resp, err := v.c.api.ListWorkersKVKeys(ctx, v.c.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: v.c.ns,
			Prefix:      prefix,
			Limit:       1000,
			Cursor:      cursor,
		})
		if err != nil {
			return rooms, err
		}
		if len(resp.Result) == 0 {
			break
		}
		for _, k := range resp.Result {
			if m, ok := k.Metadata.(map[string]any); ok {
				rooms[fmt.Sprint(m["room"])] = fmt.Sprint(m["booking"])
			}
		}
		if resp.Cursor == "" {
			break
		}
		cursor = resp.Cursor
	}
	return rooms, nil
}

// RoomHeld reports whether any code hold exists for the property.
func (v *Vault) RoomHeld(ctx context.Context, propertyID string) (bool, error) {
	resp, err := v.c.api.ListWorkersKVKeys(ctx, v.c.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: v.c.ns,
		Prefix:      holdPrefix + propertyID + ":",
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	// A page can come back empty while keys follow it; a cursor means there are.
	return len(resp.Result) > 0 || resp.Cursor != "", nil
}

// Touch records the time of the most recent check-in across all properties.
func (v *Vault) Touch(ctx context.Context, at time.Time) error {
	_, err := v.c.api.WriteWorkersKVEntry(ctx, v.c.rc, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: v.c.ns,
		Key:         "checkins:latest",
		Value:       []byte(strconv.FormatInt(at.Unix(), 10)),
	})
	return err
}
