// Package auction holds the lot and bid model shared by the API, the hub, the
// PocketBase admin and the edge Worker.
package auction

import (
	"errors"
	"time"
)

// Lot statuses.
const (
	StatusDraft   = "draft"
	StatusOpen    = "open"
	StatusClosing = "closing"
	StatusClosed  = "closed"
)

// Lot is the public projection of a lot.
type Lot struct {
	ID             string    `json:"id"`
	SaleID         string    `json:"sale_id"`
	Slug           string    `json:"slug"`
	Title          string    `json:"title"`
	Status         string    `json:"status"`
	OpeningCents   int64     `json:"opening_cents"`
	IncrementCents int64     `json:"increment_cents"`
	ReserveMet     bool      `json:"reserve_met"`
	ClosesAt       time.Time `json:"closes_at"`
	Images         []string  `json:"images,omitempty"`
}

// Bid is one accepted bid.
type Bid struct {
	ID          string    `json:"id"`
	LotID       string    `json:"lot_id"`
	BidderID    string    `json:"bidder_id"`
	Paddle      int       `json:"paddle"`
	AmountCents int64     `json:"amount_cents"`
	PlacedAt    time.Time `json:"placed_at"`
}

// Summary is the live state a lot page shows next to the catalogue entry.
type Summary struct {
	LotID        string    `json:"lot_id"`
	HighBidCents int64     `json:"high_bid_cents"`
	HighPaddle   int       `json:"high_paddle"`
	Recent       []Bid     `json:"recent"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AutoBid is a bidder's standing instruction for one lot.
type AutoBid struct {
	BidderID string `json:"bidder_id"`
	MaxCents int64  `json:"max_cents"`
}

// ErrBelowIncrement is returned when a bid does not beat the high bid by the
// lot's increment.
var ErrBelowIncrement = errors.New("auction: bid below minimum increment")

// NextMinimum is the smallest acceptable next bid.
func (l Lot) NextMinimum(high int64) int64 {
	if high == 0 {
		return l.OpeningCents
	}
	return high + l.IncrementCents
}

// Apply records b as the new high bid, keeping the last keep bids.
func (s *Summary) Apply(b Bid, keep int) {
	if b.AmountCents > s.HighBidCents {
		s.HighBidCents = b.AmountCents
		s.HighPaddle = b.Paddle
	}
	s.Recent = append([]Bid{b}, s.Recent...)
	if len(s.Recent) > keep {
		s.Recent = s.Recent[:keep]
	}
	s.UpdatedAt = b.PlacedAt
}

// Key layout of the LOTS namespace.
func LotKey(id string) string            { return "lot:" + id }
func SlugKey(slug string) string         { return "slug:" + slug }
func SummaryKey(lotID string) string     { return "lot:" + lotID + ":summary" }
func BidLogKey(lotID string) string      { return "lot:" + lotID + ":bidlog" }
func WatchersKey(lotID string) string    { return "lot:" + lotID + ":watchers" }
func AutoBidKey(lotID string) string     { return "autobid:" + lotID }
func ViewsKey(lotID string) string       { return "views:lot:" + lotID }
func SaleLotPrefix(saleID string) string { return "sale:" + saleID + ":lot:" }
func SaleLotKey(saleID, lotID string) string {
	return SaleLotPrefix(saleID) + lotID
}
