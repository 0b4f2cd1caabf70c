// Package waitlist runs the walk-in waitlist: guests join a board, get an
// SMS when a table frees up, and are seated or dropped.
package waitlist

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
)

var now = time.Now

var (
	ErrNotOnList   = errors.New("waitlist: party not on the list")
	ErrQuotaUsed   = errors.New("waitlist: SMS quota for today is used up")
	ErrBoardFull   = errors.New("waitlist: board is full")
	ErrInvalidSize = errors.New("waitlist: invalid party size")
)

const maxParties = 60

// Party is one entry on the board.
type Party struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Size     int       `json:"size"`
	Phone    string    `json:"phone"`
	JoinedAt time.Time `json:"joined_at"`
	Notified time.Time `json:"notified,omitzero"`
}

// Board is the whole waitlist of one restaurant.
type Board struct {
	Parties []Party `json:"parties"`
}

// Notifier sends a text message.
type Notifier interface {
	Send(ctx context.Context, phone, body string) error
}

// Service is the waitlist application service.
type Service struct {
	rw     store.ReadWriter
	sms    Notifier
	config func() *config.Config
}

// New returns a waitlist service.
func New(rw store.ReadWriter, sms Notifier, cfg func() *config.Config) *Service {
	return &Service{rw: rw, sms: sms, config: cfg}
}

// Join adds a party and returns its ID and position.
func (s *Service) Join(ctx context.Context, restaurant, name, phone string, size int) (string, int, error) {
	if size < 1 || size > 20 {
		return "", 0, ErrInvalidSize
	}
	p := Party{ID: partyID(), Name: strings.TrimSpace(name), Size: size, Phone: phone, JoinedAt: now().UTC()}
	pos := 0
	err := store.Update(ctx, s.rw, keys.Waitlist(restaurant), store.SecondsOf(12*time.Hour),
		func(b *Board) error {
			if len(b.Parties) >= maxParties {
				return ErrBoardFull
			}
			b.Parties = append(b.Parties, p)
			pos = len(b.Parties)
			return nil
		})
	if err != nil {
		return "", 0, err
	}
	return p.ID, pos, nil
}

// Peek returns the board as stored.
func (s *Service) Peek(ctx context.Context, restaurant string) (Board, error) {
	b, _, err := store.GetJSON[Board](ctx, s.rw, keys.Waitlist(restaurant))
	return b, err
}

// Notify texts the party that its table is ready, within the daily quota.
func (s *Service) Notify(ctx context.Context, restaurant, partyID string) error {
	b, _, err := store.GetJSON[Board](ctx, s.rw, keys.Waitlist(restaurant))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(b.Parties, func(p Party) bool { return p.ID == partyID })
	if i < 0 {
		return ErrNotOnList
	}
	quotaKey := keys.SMSQuota(restaurant, now())
	used := 0
	raw, err := s.rw.Get(ctx, quotaKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("quota %s: %w", quotaKey, err)
		}
	}
	if used >= s.config().SMSDailyQuota {
		return ErrQuotaUsed
	}
	body := fmt.Sprintf("Hi %s, your table for %d is ready. Please come to the host stand.",
		b.Parties[i].Name, b.Parties[i].Size)
	if err := s.sms.Send(ctx, b.Parties[i].Phone, body); err != nil {
		return err
	}
	used++
	if err := s.rw.Put(ctx, quotaKey, []byte(strconv.Itoa(used)), store.SecondsOf(36*time.Hour)); err != nil { // EXPECT kvcounter
		return err
	}
	window := s.config().NotifyWindow
	notice := Notice{Party: partyID, SentAt: now().UTC(), Deadline: now().Add(window).UTC()}
	return store.PutJSON(ctx, s.rw, noticeKey(restaurant, partyID), notice,
		store.SecondsOf(max(2*window, 10*time.Second)), // EXPECT kvttl
	)
}

// Notice records that a party was called, for the host stand's countdown.
type Notice struct {
	Party    string    `json:"party"`
	SentAt   time.Time `json:"sent_at"`
	Deadline time.Time `json:"deadline"`
}

func noticeKey(restaurant, party string) string {
	return keys.Join("waitlist", restaurant, "notice", party)
}

// Seat removes a party from the board once it has been seated.
func (s *Service) Seat(ctx context.Context, restaurant, partyID string) error {
	return store.Update(ctx, s.rw, keys.Waitlist(restaurant), store.SecondsOf(12*time.Hour),
		func(b *Board) error {
			n := len(b.Parties)
			b.Parties = slices.DeleteFunc(b.Parties, func(p Party) bool { return p.ID == partyID })
			if len(b.Parties) == n {
				return ErrNotOnList
			}
			return nil
		})
}

// HostAdd lets the host put a walk-in party at a given position, e.g. a
// regular or a guest returning after a missed call.
func (s *Service) HostAdd(ctx context.Context, restaurant string, p Party, position int) error {
	key := keys.Waitlist(restaurant)
	var b Board
	raw, err := s.rw.Get(ctx, key) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &b); err != nil {
			return err
		}
	}
	p.ID, p.JoinedAt = partyID(), now().UTC()
	position = min(max(position, 1), len(b.Parties)+1)
	b.Parties = slices.Insert(b.Parties, position-1, p)
	out, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.rw.Put(ctx, key, out, store.SecondsOf(12*time.Hour)) // EXPECT kvrace
}

func partyID() string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))
}
