// Package camping reserves camping plots and holds them during checkout.
package camping

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/repo"
	"example.com/tamarack/internal/platform/store"
	"example.com/tamarack/internal/platform/storedeco"
)

var (
	// ErrTaken is returned when a plot is already reserved.
	ErrTaken = errors.New("plot already reserved")
	// ErrHeld is returned when another attendee is checking out the plot.
	ErrHeld = errors.New("plot on hold")
)

// Reservation is a confirmed plot booking.
type Reservation struct {
	Plot    string    `json:"plot"`
	Field   string    `json:"field"`
	Holder  string    `json:"holder"`
	Band    string    `json:"band"`
	Nights  int       `json:"nights"`
	Created time.Time `json:"created"`
}

// Cart is an attendee's checkout basket.
type Cart struct {
	Plots   []string  `json:"plots"`
	Updated time.Time `json:"updated"`
}

// Service books plots.
type Service struct {
	st       store.Store
	clamped  *storedeco.Clamped
	plots    *repo.Repository[Reservation]
	holdTTL  time.Duration
	graceTTL time.Duration
	log      *slog.Logger
}

// Option configures a Service.
type Option func(*Service)

// WithHoldTTL sets how long a plot stays held during checkout.
func WithHoldTTL(d time.Duration) Option { return func(s *Service) { s.holdTTL = d } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service. Cancelled plots stay blocked for a short
// grace period so that the payment provider's late callbacks are ignored.
func NewService(st store.Store, opts ...Option) *Service {
	s := &Service{
		st:       st,
		clamped:  storedeco.NewClamped(st),
		plots:    repo.New[Reservation](st, "camp:plot:"),
		holdTTL:  15 * time.Minute,
		graceTTL: 40 * time.Second,
		log:      slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func holdKey(plot string) string { return "camp:hold:" + plot }

// Reserve books plot for holder.
func (s *Service) Reserve(ctx context.Context, plot, field, holder, band string, nights int) (Reservation, error) {
	if _, err := s.plots.Find(ctx, plot); err == nil {
		return Reservation{}, ErrTaken
	} else if !store.IsNotFound(err) {
		return Reservation{}, err
	}
	r := Reservation{Plot: plot, Field: field, Holder: holder, Band: band, Nights: nights, Created: time.Now().UTC()}
	if err := s.plots.Save(ctx, plot, r); err != nil { // EXPECT kvrace
		return Reservation{}, err
	}
	if err := s.st.Delete(ctx, holdKey(plot)); err != nil {
		s.log.Warn("hold not released", "plot", plot, "err", err)
	}
	return r, nil
}

// Hold blocks plot for holder until the payment window closes at until.
func (s *Service) Hold(ctx context.Context, plot, holder string, until time.Time) error {
	ttl := time.Until(until)
	return s.st.Put(ctx, holdKey(plot), holder, store.WithTTL(ttl)) // EXPECT kvttl
}

// QuickHold blocks plot for the standard hold time while the attendee
// looks at the plot map; the clamped writer keeps any expiry legal.
func (s *Service) QuickHold(ctx context.Context, plot, holder string) error {
	return s.clamped.Put(ctx, holdKey(plot), holder, store.WithTTL(20*time.Second))
}

// Cancel releases a reservation and blocks the plot for the grace period.
func (s *Service) Cancel(ctx context.Context, plot string) error {
	if err := s.plots.Delete(ctx, plot); err != nil {
		return err
	}
	return s.st.Put(ctx, "camp:grace:"+plot, "cancelled", store.WithTTL(s.graceTTL)) // EXPECT kvttl
}

func cartKey(sessionID string) string { return "camp:cart:" + sessionID }

// AddToCart adds plot to the checkout basket of a session.
func (s *Service) AddToCart(ctx context.Context, sessionID, plot string) (Cart, error) {
	var c Cart
	raw, err := s.st.Get(ctx, cartKey(sessionID))
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return Cart{}, err
	default:
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return Cart{}, err
		}
	}
	if !slices.Contains(c.Plots, plot) {
		c.Plots = append(c.Plots, plot)
	}
	c.Updated = time.Now().UTC()
	b, _ := json.Marshal(c)
	return c, s.st.Put(ctx, cartKey(sessionID), string(b), store.WithTTL(s.holdTTL)) // EXPECT kvsession
}

// NewCart starts a basket for a fresh checkout session.
func (s *Service) NewCart(ctx context.Context, sessionID string, plots []string) error {
	b, err := json.Marshal(Cart{Plots: plots, Updated: time.Now().UTC()})
	if err != nil {
		return err
	}
	return s.st.Put(ctx, cartKey(sessionID), string(b), store.WithTTL(s.holdTTL))
}

// FieldSummary counts reservations per field from a bounded scan and saves
// the summary when it returns.
func (s *Service) FieldSummary(ctx context.Context) (sum map[string]int, err error) {
	sum = make(map[string]int)
	defer func() {
		if err != nil {
			return
		}
		b, _ := json.Marshal(sum)
		err = s.st.Put(ctx, "camp:summary", string(b), store.WithTTL(time.Hour))
	}()
	keys, err := store.Collect(ctx, s.st, "camp:plot:", 5)
	if err != nil && !errors.Is(err, store.ErrBudgetExceeded) {
		return nil, err
	}
	for _, k := range keys {
		field, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "camp:plot:"), "-")
		sum[field]++
	}
	return sum, nil
}
