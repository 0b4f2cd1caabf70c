// Package booking runs the step-by-step booking wizard of the guest app.
package booking

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"example.com/pipit/internal/availability"
	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/keys"
	"example.com/pipit/internal/kvop"
)

// cartTTL is how long an abandoned cart is kept.
const cartTTL = 2 * time.Hour

// Step is a wizard page.
type Step int

const (
	StepDates Step = iota
	StepRoom
	StepDetails
	StepReview
)

var stepNames = [...]string{"dates", "room", "details", "review"}

func (s Step) MarshalText() ([]byte, error) { return []byte(stepNames[s]), nil }

func (s *Step) UnmarshalText(b []byte) error {
	i := slices.Index(stepNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown step %q", b)
	}
	*s = Step(i)
	return nil
}

// GuestDetails are collected on the details page.
type GuestDetails struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Cart is one guest's booking in progress.
type Cart struct {
	ID         string       `json:"id"`
	GuestID    string       `json:"guest"`
	Step       Step         `json:"step"`
	PropertyID string       `json:"property"`
	CheckIn    time.Time    `json:"check_in"`
	CheckOut   time.Time    `json:"check_out"`
	RoomType   string       `json:"room_type,omitempty"`
	Room       string       `json:"room,omitempty"`
	RatePlan   string       `json:"rate_plan,omitempty"`
	Guest      GuestDetails `json:"guest_details"`
	Updated    time.Time    `json:"updated"`
}

// StepInput carries the fields of whichever page is being submitted.
type StepInput struct {
	CheckIn  string       `json:"check_in"`
	CheckOut string       `json:"check_out"`
	RoomType string       `json:"room_type"`
	Room     string       `json:"room"`
	RatePlan string       `json:"rate_plan"`
	Guest    GuestDetails `json:"guest"`
}

// apply validates the input for the cart's current step and moves it on.
func (c *Cart) apply(in StepInput) error {
	switch c.Step {
	case StepDates:
		from, err1 := time.Parse(time.DateOnly, in.CheckIn)
		to, err2 := time.Parse(time.DateOnly, in.CheckOut)
		if err := errors.Join(err1, err2); err != nil || !to.After(from) {
			return fmt.Errorf("%w: check-in and check-out dates", httpx.ErrInvalid)
		}
		c.CheckIn, c.CheckOut = from, to
	case StepRoom:
		if in.RoomType == "" || in.RatePlan == "" || in.Room == "" {
			return fmt.Errorf("%w: room type, room and rate plan", httpx.ErrInvalid)
		}
		c.RoomType, c.Room, c.RatePlan = in.RoomType, in.Room, in.RatePlan
	case StepDetails:
		if in.Guest.Name == "" || in.Guest.Email == "" {
			return fmt.Errorf("%w: name and e-mail", httpx.ErrInvalid)
		}
		c.Guest = in.Guest
	case StepReview:
		return fmt.Errorf("%w: cart is complete", httpx.ErrConflict)
	}
	c.Step++
	return nil
}

// Wizard serves the booking pages.
type Wizard struct {
	exec kvop.Exec
	bus  *bus.Bus
	key  func(parts ...string) string
}

// NewWizard returns the wizard.
func NewWizard(exec kvop.Exec, b *bus.Bus) *Wizard {
	return &Wizard{exec: exec, bus: b, key: keys.Scoped("booking")("cart")}
}

func guestOf(r *http.Request) (string, error) {
	p, _ := httpx.PrincipalFrom(r.Context())
	if p.GuestID == "" {
		return "", httpx.ErrUnauthorized
	}
	return p.GuestID, nil
}

func (wz *Wizard) load(r *http.Request) (Cart, error) {
	guestID, err := guestOf(r)
	if err != nil {
		return Cart{}, err
	}
	res, err := wz.exec(r.Context(), kvop.Get(wz.key(guestID, r.PathValue("cart"))))
	var c Cart
	if err == nil {
		err = json.Unmarshal(res.Value, &c)
	}
	return c, err
}

// Start serves POST /properties/{property}/carts.
func (wz *Wizard) Start(w http.ResponseWriter, r *http.Request) error {
	guestID, err := guestOf(r)
	if err != nil {
		return err
	}
	c := Cart{ID: httpx.NewID(), GuestID: guestID, Step: StepDates, PropertyID: r.PathValue("property"), Updated: time.Now()}
	b, _ := json.Marshal(c)
	if _, err := wz.exec(r.Context(), kvop.Put(wz.key(guestID, c.ID), b, cartTTL)); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, c)
}

// Next serves POST /carts/{cart}/next with the current page's fields.
func (wz *Wizard) Next(w http.ResponseWriter, r *http.Request) error {
	in, err := httpx.Decode[StepInput](w, r)
	if err != nil {
		return err
	}
	c, err := wz.load(r)
	if err != nil {
		return err
	}
	if err := c.apply(in); err != nil {
		return err
	}
	c.Updated = time.Now()
	b, _ := json.Marshal(c)
	if _, err := wz.exec(r.Context(), kvop.Put(wz.key(c.GuestID, c.ID), b, cartTTL)); err != nil { // EXPECT kvsession
		return err
	}
	return httpx.JSON(w, http.StatusOK, c)
}

// Confirm serves POST /carts/{cart}/confirm: it holds the chosen room for
// every night of the stay and takes the room type off sale.
func (wz *Wizard) Confirm(w http.ResponseWriter, r *http.Request) error {
	c, err := wz.load(r)
	if err != nil {
		return err
	}
	if c.Step != StepReview {
		return fmt.Errorf("%w: cart is not complete", httpx.ErrConflict)
	}
	bookingID := "B" + c.ID[:12]
	for night := c.CheckIn; night.Before(c.CheckOut); night = night.AddDate(0, 0, 1) {
		n := night.Format(time.DateOnly)
		if err := wz.bus.Dispatch(r.Context(), availability.PlaceHold{PropertyID: c.PropertyID, Room: c.Room, Night: n, BookingID: bookingID, GuestID: c.GuestID}); err != nil {
			return err
		}
		if err := wz.bus.Dispatch(r.Context(), availability.SellRoom{PropertyID: c.PropertyID, RoomType: c.RoomType, Night: n}); err != nil {
			return err
		}
	}
	return httpx.JSON(w, http.StatusCreated, map[string]string{"booking": bookingID})
}
