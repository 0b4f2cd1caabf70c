package domain

import (
	"strings"
	"time"
)

// Cents is an amount of money in the smallest currency unit.
type Cents int64

// MenuItem is one dish on a menu.
type MenuItem struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Price     Cents    `json:"price"`
	Available bool     `json:"available"`
	Allergens []string `json:"allergens,omitempty"`
}

// Menu is the published menu of a restaurant.
type Menu struct {
	Restaurant RestaurantID `json:"restaurant"`
	Version    int64        `json:"version"`
	Currency   string       `json:"currency"`
	Items      []MenuItem   `json:"items"`
	Published  time.Time    `json:"published"`
}

// Key implements the storage record contract.
func (m *Menu) Key() string { return m.Restaurant.MenuKey() }

// SetID implements the storage record contract.
func (m *Menu) SetID(id string) { m.Restaurant = RestaurantID(id) }

// Item returns the item with the given id.
func (m *Menu) Item(id string) (*MenuItem, bool) {
	for i := range m.Items {
		if m.Items[i].ID == id {
			return &m.Items[i], true
		}
	}
	return nil, false
}

// CartLine is one line in a cart.
type CartLine struct {
	Restaurant RestaurantID `json:"restaurant"`
	ItemID     string       `json:"item_id"`
	Quantity   int          `json:"quantity"`
	UnitPrice  Cents        `json:"unit_price"`
	Note       string       `json:"note,omitempty"`
}

// Cart is a customer's shopping cart.
type Cart struct {
	ID        CartID     `json:"id"`
	Customer  Email      `json:"customer"`
	Lines     []CartLine `json:"lines"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Key implements the storage record contract.
func (c *Cart) Key() string { return "cart:" + string(c.ID) }

// SetID implements the storage record contract.
func (c *Cart) SetID(id string) { c.ID = CartID(id) }

// Total is the cart value before promotions.
func (c *Cart) Total() Cents {
	var t Cents
	for _, l := range c.Lines {
		t += l.UnitPrice * Cents(l.Quantity)
	}
	return t
}

// Restaurants lists the distinct restaurants in the cart, in line order.
func (c *Cart) Restaurants() []RestaurantID {
	var out []RestaurantID
	seen := make(map[RestaurantID]bool, len(c.Lines))
	for _, l := range c.Lines {
		if !seen[l.Restaurant] {
			seen[l.Restaurant] = true
			out = append(out, l.Restaurant)
		}
	}
	return out
}

// Promo is a promotion attached to a code.
type Promo struct {
	Code       string    `json:"code"`
	PercentOff int       `json:"percent_off"`
	MaxUses    int       `json:"max_uses"`
	SingleUse  bool      `json:"single_use"`
	ValidUntil time.Time `json:"valid_until"`
}

// Discount returns the discount for a cart total.
func (p Promo) Discount(total Cents) Cents {
	if p.PercentOff <= 0 {
		return 0
	}
	return total * Cents(p.PercentOff) / 100
}

// OrderStatus is a step in an order's life.
type OrderStatus string

// Order statuses in the order they normally happen.
const (
	StatusPlaced    OrderStatus = "placed"
	StatusAccepted  OrderStatus = "accepted"
	StatusCooking   OrderStatus = "cooking"
	StatusReady     OrderStatus = "ready"
	StatusPickedUp  OrderStatus = "picked_up"
	StatusDelivered OrderStatus = "delivered"
	StatusCancelled OrderStatus = "cancelled"
)

// Order is a placed order.
type Order struct {
	ID         OrderID      `json:"id"`
	Restaurant RestaurantID `json:"restaurant"`
	Customer   Email        `json:"customer"`
	Lines      []CartLine   `json:"lines"`
	Total      Cents        `json:"total"`
	Discount   Cents        `json:"discount"`
	PromisedAt time.Time    `json:"promised_at"`
	PlacedAt   time.Time    `json:"placed_at"`
}

// Step is one entry of an order timeline.
type Step struct {
	Status OrderStatus `json:"status"`
	At     time.Time   `json:"at"`
	Note   string      `json:"note,omitempty"`
}

// Timeline is the customer-visible history of an order.
type Timeline struct {
	Restaurant RestaurantID `json:"restaurant"`
	Order      OrderID      `json:"order"`
	Steps      []Step       `json:"steps"`
}

// TimelineID joins a restaurant and order into the id used by Timeline.SetID.
func TimelineID(r RestaurantID, o OrderID) string { return string(r) + "/" + string(o) }

// Key implements the storage record contract.
func (t *Timeline) Key() string { return t.Order.TrackKey(t.Restaurant) }

// SetID implements the storage record contract.
func (t *Timeline) SetID(id string) {
	r, o, _ := strings.Cut(id, "/")
	t.Restaurant, t.Order = RestaurantID(r), OrderID(o)
}

// Current is the latest status, or StatusPlaced for an empty timeline.
func (t *Timeline) Current() OrderStatus {
	if len(t.Steps) == 0 {
		return StatusPlaced
	}
	return t.Steps[len(t.Steps)-1].Status
}

// Ticket is an order as shown to the kitchen.
type Ticket struct {
	Order    OrderID   `json:"order"`
	Lines    []string  `json:"lines"`
	DueBy    time.Time `json:"due_by"`
	Done     bool      `json:"done"`
	Priority int       `json:"priority,omitempty"`
}

// Board is what a kitchen display desk shows.
type Board struct {
	Restaurant RestaurantID `json:"restaurant"`
	Desk       DeskID       `json:"desk"`
	Tickets    []Ticket     `json:"tickets"`
	Version    int64        `json:"version"`
}

// Ping is a courier location report.
type Ping struct {
	Courier CourierID `json:"courier"`
	Zone    string    `json:"zone"`
	Lat     float64   `json:"lat"`
	Lng     float64   `json:"lng"`
	At      time.Time `json:"at"`
}

// Session is a logged-in customer session.
type Session struct {
	ID        SessionID `json:"id"`
	Customer  Email     `json:"customer"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// AllergenNotice is the legally required allergen text printed under every menu.
const AllergenNotice = "Our kitchens handle celery, cereals containing gluten (wheat, rye, barley, oats), " +
	"crustaceans (prawns, crabs, lobster), eggs, fish, lupin, milk, molluscs (mussels, oysters, squid), " +
	"mustard, tree nuts (almonds, hazelnuts, walnuts, cashews, pecans, Brazil nuts, pistachios, macadamia), " +
	"peanuts, sesame seeds, soybeans and sulphur dioxide or sulphites at concentrations above ten parts per million. " +
	"Although restaurants take care to prevent cross-contact, dishes prepared in shared kitchens may contain traces " +
	"of any of these allergens even when they are not listed as ingredients. Menu descriptions are supplied by the " +
	"restaurant and may change without notice; recipes, suppliers and preparation methods vary from day to day. " +
	"If you have a food allergy or intolerance, please contact the restaurant directly before placing your order " +
	"and tell the courier when your order is handed over. Customers with severe allergies should consider whether " +
	"ordering from a shared kitchen is appropriate for them. The marketplace does not prepare food and cannot " +
	"guarantee that any dish is free from a particular allergen. Nutritional values, where shown, are estimates " +
	"based on standard recipes and typical portion sizes and are provided for guidance only."
