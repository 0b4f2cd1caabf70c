// Package boxes handles the customer's weekly box: the recipes chosen for
// an upcoming delivery, skips and the cutoff after which the box is locked.
package boxes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/keys"
	"example.com/thistle/internal/store"
)

// ErrLocked means the week's cutoff has passed.
var ErrLocked = errors.New("boxes: selection is locked")

// ErrFull means the box already holds its plan's number of recipes.
var ErrFull = errors.New("boxes: box is full")

// Plan sizes, indexed by PlanKind.
type PlanKind int

const (
	PlanTwo PlanKind = iota
	PlanThree
	PlanFour
	PlanFamily
)

var recipesPerBox = [...]int{PlanTwo: 2, PlanThree: 3, PlanFour: 4, PlanFamily: 5}

// Cart is the customer's selection for one week.
type Cart struct {
	CustomerID string    `json:"customer_id"`
	Week       string    `json:"week"`
	Plan       PlanKind  `json:"plan"`
	RecipeIDs  []string  `json:"recipe_ids"`
	AddOns     []string  `json:"add_ons"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Skip records that a customer skipped a week.
type Skip struct {
	CustomerID string    `json:"customer_id"`
	Week       string    `json:"week"`
	At         time.Time `json:"at"`
}

// StorageKey implements store.Keyed.
func (s Skip) StorageKey() string { return skipKey.ForParts(s.CustomerID, s.Week) }

// Lock freezes a week's box for the packing line.
type Lock struct {
	Week     string    `json:"week"`
	LockedAt time.Time `json:"locked_at"`
}

// StorageKey implements store.Keyed.
func (l Lock) StorageKey() string { return lockKey.For(l.Week) }

var (
	cartKey = keys.New[Cart]("cart")
	skipKey = keys.New[Skip]("skip")
	lockKey = keys.New[Lock]("week-lock")
)

// CutoffFunc reports the selection cutoff of a week.
type CutoffFunc func(week string) time.Time

// Service manages weekly boxes.
type Service struct {
	s      store.Store
	clock  clock.Clock
	cutoff CutoffFunc
}

// New builds a Service.
func New(s store.Store, c clock.Clock, cutoff CutoffFunc) *Service {
	return &Service{s: s, clock: c, cutoff: cutoff}
}

// DefaultCutoff locks a week's selection at 23:59 UTC on the Wednesday
// before its Monday delivery.
func DefaultCutoff(week string) time.Time {
	var y, w int
	if _, err := fmt.Sscanf(week, "%d-W%d", &y, &w); err != nil {
		return time.Time{}
	}
	jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := clock.WeekStart(jan4).AddDate(0, 0, 7*(w-1))
	return monday.AddDate(0, 0, -5).Add(23*time.Hour + 59*time.Minute)
}

func (s *Service) locked(week string) bool {
	return !s.clock.Now().Before(s.cutoff(week))
}

// Open starts the week's cart from the customer's plan. The weekly opening
// job calls it once per subscriber.
func (s *Service) Open(ctx context.Context, customerID, week string, plan PlanKind) (Cart, error) {
	cart := Cart{CustomerID: customerID, Week: week, Plan: plan, UpdatedAt: s.clock.Now()}
	b, err := json.Marshal(cart)
	if err != nil {
		return cart, err
	}
	expires := s.cutoff(week).Add(14 * 24 * time.Hour)
	if err := s.s.Put(ctx, cartKey.ForParts(customerID, week), b, store.PutOptions{ExpireAt: expires}); err != nil {
		return cart, err
	}
	return cart, nil
}

// Get returns the customer's cart for the week.
func (s *Service) Get(ctx context.Context, customerID, week string) (Cart, error) {
	return store.Load[Cart](ctx, s.s, cartKey.ForParts(customerID, week))
}

// Choose adds a recipe to the customer's box.
func (s *Service) Choose(ctx context.Context, customerID, week, recipeID string) (Cart, error) {
	if s.locked(week) {
		return Cart{}, ErrLocked
	}
	cart, err := s.Get(ctx, customerID, week)
	if err != nil {
		return Cart{}, err
	}
	if slices.Contains(cart.RecipeIDs, recipeID) {
		return cart, nil
	}
	if len(cart.RecipeIDs) >= recipesPerBox[cart.Plan] {
		return cart, ErrFull
	}
	cart.RecipeIDs = append(cart.RecipeIDs, recipeID)
	cart.UpdatedAt = s.clock.Now()
	b, _ := json.Marshal(cart)
	keep := store.PutOptions{ExpireAt: s.cutoff(week).Add(14 * 24 * time.Hour)}
	return cart, s.s.Put(ctx, cartKey.ForParts(customerID, week), b, keep) // EXPECT kvsession
}

// Skip records that the customer wants no delivery this week.
func (s *Service) Skip(ctx context.Context, customerID, week string) error {
	if s.locked(week) {
		return ErrLocked
	}
	skip := Skip{CustomerID: customerID, Week: week, At: s.clock.Now()}
	return store.SaveUntil(ctx, s.s, skip, s.cutoff(week).Add(30*24*time.Hour))
}

// Skipped reports whether the customer skipped the week.
func (s *Service) Skipped(ctx context.Context, customerID, week string) (bool, error) {
	_, err := s.s.Get(ctx, skipKey.ForParts(customerID, week))
	if store.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// HoldSelection keeps a shareable copy of a cart until the cutoff, so a
// partner can see what is coming.
func (s *Service) HoldSelection(ctx context.Context, cart Cart) error {
	b, err := json.Marshal(cart)
	if err != nil {
		return err
	}
	return s.s.Put(ctx, "shared-box/"+cart.CustomerID+"/"+cart.Week, b, store.PutOptions{TTL: time.Until(s.cutoff(cart.Week))}) // EXPECT kvttl
}

// Snapshot keeps a read-only copy of the cart for the delivery tracker.
func (s *Service) Snapshot(ctx context.Context, cart Cart) error {
	b, err := json.Marshal(cart)
	if err != nil {
		return err
	}
	ttl := s.cutoff(cart.Week).Sub(s.clock.Now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.s.Put(ctx, "box-snapshot/"+cart.CustomerID+"/"+cart.Week, b, store.PutOptions{TTL: ttl})
}

// LockWeek freezes the week once, from the cutoff job.
func (s *Service) LockWeek(ctx context.Context, week string) error {
	return store.Save(ctx, s.s, Lock{Week: week, LockedAt: s.clock.Now()}, 21*24*time.Hour)
}
