// Package domain holds the value types shared by the edge API and the ops
// tooling. Nothing in here knows about storage.
package domain

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrForbidden    = errors.New("forbidden")
	ErrInvalidInput = errors.New("invalid input")
)

// NewID returns a random, URL-safe identifier of 2*n hex characters.
func NewID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("domain: reading random bytes: %v", err))
	}
	return hex.EncodeToString(b)
}

// Money is an amount in minor units (cents, pence, ...).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func (m Money) String() string {
	return fmt.Sprintf("%d.%02d %s", m.Amount/100, m.Amount%100, m.Currency)
}

type Segment struct {
	Carrier   string    `json:"carrier"`
	FlightNo  string    `json:"flight_no"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Depart    time.Time `json:"depart"`
	Arrive    time.Time `json:"arrive"`
	FareClass string    `json:"fare_class,omitempty"`
}

// Trip is an itinerary owned by one traveller and shared with others.
type Trip struct {
	ID         string    `json:"id"`
	OwnerID    string    `json:"owner_id"`
	Title      string    `json:"title"`
	Travellers []string  `json:"travellers"`
	Segments   []Segment `json:"segments"`
	Archived   bool      `json:"archived,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

type TripSummary struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	FirstLeg  string    `json:"first_leg,omitempty"`
	Departs   time.Time `json:"departs,omitempty"`
	Legs      int       `json:"legs"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Summarize builds the list projection of a trip.
func (t Trip) Summarize() TripSummary {
	s := TripSummary{ID: t.ID, Title: t.Title, Legs: len(t.Segments), UpdatedAt: t.UpdatedAt}
	if len(t.Segments) > 0 {
		first := t.Segments[0]
		s.FirstLeg = first.From + "-" + first.To
		s.Departs = first.Depart
	}
	return s
}

// FareHold is a priced seat held with the carrier until ExpiresAt.
type FareHold struct {
	ID          string    `json:"id"`
	TripID      string    `json:"trip_id"`
	TravellerID string    `json:"traveller_id"`
	Fare        Money     `json:"fare"`
	PNR         string    `json:"pnr"`
	ExpiresAt   time.Time `json:"expires_at"`
}

type Quote struct {
	ID        string    `json:"id"`
	Segments  []Segment `json:"segments"`
	Fare      Money     `json:"fare"`
	ValidTill time.Time `json:"valid_till"`
}

type Traveller struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	UpdatedAt time.Time `json:"updated_at"`
}

type LoyaltyAccount struct {
	TravellerID string    `json:"traveller_id"`
	Points      int64     `json:"points"`
	Tier        string    `json:"tier"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type Session struct {
	ID          string    `json:"id"`
	TravellerID string    `json:"traveller_id"`
	UserAgent   string    `json:"user_agent,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	LastSeen    time.Time `json:"last_seen"`
}

// Cart collects fare holds and ancillaries before checkout.
type Cart struct {
	TravellerID string     `json:"traveller_id"`
	Items       []CartItem `json:"items"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

type CartItem struct {
	Kind  string `json:"kind"` // "hold", "seat", "bag"
	Ref   string `json:"ref"`
	Price Money  `json:"price"`
}

type MagicLink struct {
	Token       string    `json:"token"`
	TravellerID string    `json:"traveller_id"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// PartnerKey is an API key issued to a travel-agency partner. Only the hash
// of the secret is stored.
type PartnerKey struct {
	ID        string    `json:"id"`
	PartnerID string    `json:"partner_id"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

type PartnerConfig struct {
	PartnerID  string            `json:"partner_id"`
	WebhookURL string            `json:"webhook_url,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
}

type FlightStatus struct {
	Flight       string    `json:"flight"`
	State        string    `json:"state"` // scheduled, boarding, departed, landed, cancelled
	Gate         string    `json:"gate,omitempty"`
	DelayMinutes int       `json:"delay_minutes"`
	Departs      time.Time `json:"departs"`
	Arrives      time.Time `json:"arrives"`
	FetchedAt    time.Time `json:"fetched_at"`
}

// Settled reports whether the status will not change any more.
func (f FlightStatus) Settled() bool {
	return f.State == "landed" || f.State == "cancelled"
}

type ShareLink struct {
	Slug      string    `json:"slug"`
	TripID    string    `json:"trip_id"`
	CreatedBy string    `json:"created_by"`
	ExpiresAt time.Time `json:"expires_at"`
}
