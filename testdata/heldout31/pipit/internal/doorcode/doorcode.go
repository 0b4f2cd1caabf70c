// Package doorcode issues the check-in codes that open guest rooms and keeps
// the lock vendor's view in step.
package doorcode

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/pipit/internal/cfkv"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/keys"
	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/store"
)

// Vault stores the codes themselves.
type Vault interface {
	Issue(ctx context.Context, dc cfkv.DoorCode, expiresUnix int64) error
	Hold(ctx context.Context, propertyID, room, bookingID string) error
	Redeem(ctx context.Context, propertyID, code string) (cfkv.DoorCode, error)
	Touch(ctx context.Context, at time.Time) error
}

// LockVendor is the door lock system.
type LockVendor interface {
	Program(ctx context.Context, propertyID, room, code string, until time.Time) error
	Locks(ctx context.Context, propertyID string, since int64) ([]Lock, error)
}

// Lock is the vendor's report about one door.
type Lock struct {
	Room    string `json:"room"`
	Battery int    `json:"battery"`
	Seq     int64  `json:"seq"`
}

// Stay is the part of a booking a door code depends on.
type Stay struct {
	BookingID  string
	PropertyID string
	Room       string
	CheckIn    time.Time
	CheckOut   time.Time
}

// Service issues and redeems codes.
type Service struct {
	vault    Vault
	vendor   LockVendor
	kv       store.KV
	exec     kvop.Exec
	putQuota keys.PutFunc

	issued sync.Map // property:day -> *atomic.Int64, codes issued by this instance
}

// New returns the service.
func New(v Vault, vendor LockVendor, kv store.KV, exec kvop.Exec) *Service {
	return &Service{
		vault: v, vendor: vendor, kv: kv, exec: exec,
		putQuota: keys.Writer(kv)("quota")(36 * time.Hour),
	}
}

func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// IssueForStay programs the lock and stores a code valid until check-out.
func (s *Service) IssueForStay(ctx context.Context, st Stay) (string, error) {
	if err := s.vault.Hold(ctx, st.PropertyID, st.Room, st.BookingID); err != nil {
		return "", err
	}
	code := newCode()
	if err := s.vendor.Program(ctx, st.PropertyID, st.Room, code, st.CheckOut); err != nil {
		return "", err
	}
	dc := cfkv.DoorCode{Code: code, PropertyID: st.PropertyID, Room: st.Room, BookingID: st.BookingID, ValidFrom: st.CheckIn}
	if err := s.vault.Issue(ctx, dc, st.CheckOut.Unix()); err != nil {
		return "", err
	}
	k := st.PropertyID + ":" + keys.Day(time.Now())
	c, _ := s.issued.LoadOrStore(k, new(atomic.Int64))
	n := c.(*atomic.Int64).Add(1)
	if err := s.putQuota(ctx, k, []byte(strconv.FormatInt(n, 10))); err != nil { // EXPECT kvcounter
		return "", err
	}
	return code, nil
}

// ExtendForLateCheckout issues a fresh code that lasts until the new departure.
func (s *Service) ExtendForLateCheckout(ctx context.Context, st Stay, departure time.Time) (string, error) {
	code := newCode()
	if err := s.vendor.Program(ctx, st.PropertyID, st.Room, code, departure); err != nil {
		return "", err
	}
	dc := cfkv.DoorCode{Code: code, PropertyID: st.PropertyID, Room: st.Room, BookingID: st.BookingID, ValidFrom: time.Now()}
	if err := s.vault.Issue(ctx, dc, departure.UnixMilli()); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

// HandleCheckIn serves POST /properties/{property}/check-in: the kiosk sends
// the code the guest typed and receives the room to send them to.
func (s *Service) HandleCheckIn(w http.ResponseWriter, r *http.Request) error {
	req, err := httpx.Decode[struct {
		Code string `json:"code"`
	}](w, r)
	if err != nil {
		return err
	}
	dc, err := s.vault.Redeem(r.Context(), r.PathValue("property"), req.Code)
	if errors.Is(err, cfkv.ErrCodeUnknown) {
		return fmt.Errorf("%w: code not recognised", httpx.ErrForbidden)
	}
	if err != nil {
		return err
	}
	if err := s.vault.Touch(r.Context(), time.Now()); err != nil { // EXPECT kvhotkey
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]string{"room": dc.Room, "booking": dc.BookingID})
}

// SyncLocks copies the vendor's lock reports, resuming after the last one seen.
func (s *Service) SyncLocks(ctx context.Context, propertyID string) error {
	cursorKey := "doorcodes:sync-cursor:" + propertyID
	var since int64
	b, err := s.kv.Get(ctx, cursorKey)
	switch {
	case err == nil:
		since, _ = strconv.ParseInt(string(b), 10, 64)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	locks, err := s.vendor.Locks(ctx, propertyID, since)
	if err != nil {
		return err
	}
	for _, l := range locks {
		rec, _ := json.Marshal(l)
		op := kvop.Put("lockdiag:"+propertyID+":"+l.Room, rec, 0)
		op.Metadata = map[string]int{"battery": l.Battery}
		if _, err := s.exec(ctx, op); err != nil {
			return err
		}
		if _, err := s.exec(ctx, kvop.Put(cursorKey, []byte(strconv.FormatInt(l.Seq, 10)), 0)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// LowBattery returns the rooms whose lock reported a battery below percent.
func (s *Service) LowBattery(ctx context.Context, propertyID string, percent int) ([]string, error) {
	page, err := s.kv.Find(ctx, store.Query{Prefix: "lockdiag:" + propertyID + ":", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	var rooms []string
	for _, e := range page.Entries {
		if b, ok := e.Metadata["battery"].(float64); ok && int(b) < percent {
			rooms = append(rooms, e.Key[len("lockdiag:"+propertyID+":"):])
		}
	}
	return rooms, nil
}
