package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"marten/internal/kvstore"
)

const ratePrefix kvstore.Prefix = "inv/rateplan/"

// RatePlan is a sellable rate.
type RatePlan struct {
	Code      string           `json:"code"`
	Currency  string           `json:"currency"`
	Base      map[string]int64 `json:"base"`      // room type -> minor units
	Overrides map[string]int64 `json:"overrides"` // night (2006-01-02) -> minor units
	PolicyID  string           `json:"policy_id"`
	MinStay   int              `json:"min_stay"`
}

// Restrictions are the stay rules of a rate plan.
type Restrictions struct {
	MinStay    int  `json:"min_stay"`
	MaxStay    int  `json:"max_stay"`
	ClosedArr  bool `json:"cta"`
	ClosedDept bool `json:"ctd"`
}

var defaultRestrictions = Restrictions{MinStay: 1, MaxStay: 28}

// RatePlans is the rate-plan catalogue of one property.
type RatePlans struct {
	*kvstore.Store
	property string
}

// NewRatePlans returns the catalogue of property.
func NewRatePlans(s *kvstore.Store, property string) *RatePlans {
	return &RatePlans{Store: s, property: property}
}

func (p *RatePlans) key(code string) string { return ratePrefix.Of(p.property + "/" + code) }

// Override sets the price of one night of a plan (revenue manager edits).
func (p *RatePlans) Override(ctx context.Context, code, night string, price int64) error {
	raw, err := p.Get(ctx, p.key(code))
	if err != nil {
		return err
	}
	var plan RatePlan
	if err := json.Unmarshal(raw, &plan); err != nil {
		return err
	}
	if plan.Overrides == nil {
		plan.Overrides = map[string]int64{}
	}
	plan.Overrides[night] = price
	b, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	return p.Put(ctx, p.key(code), b) // EXPECT kvrace
}

// Restrictions returns the stay rules of a plan, or the property defaults.
func (p *RatePlans) Restrictions(ctx context.Context, code string) (Restrictions, error) {
	raw, err := p.Get(ctx, p.key(code)+"/restrictions")
	if err != nil {
		return Restrictions{}, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return defaultRestrictions, nil
	}
	var r Restrictions
	if err := json.Unmarshal(raw, &r); err != nil {
		return Restrictions{}, err
	}
	return r, nil
}

// Publish writes a plan with the listing fields in metadata, so the booking
// engine can show the catalogue from one list call.
func (p *RatePlans) Publish(ctx context.Context, plan RatePlan) error {
	b, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	api, rc := p.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: p.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      p.key(plan.Code),
			Value:    string(b),
			Metadata: map[string]interface{}{"code": plan.Code, "currency": plan.Currency, "policy": plan.PolicyID, "min_stay": plan.MinStay},
		}},
	})
	return err
}

// promoTerms is shown on every package rate in the booking engine.
const promoTerms = "Package rates include the room, daily breakfast for the number of adults " +
	"named on the booking and one dinner per stay in the hotel restaurant (three courses, " +
	"drinks excluded). The package is non-refundable from 14 days before arrival; before " +
	"that date it can be cancelled free of charge through the booking channel or by contacting " +
	"reservations. Changes of dates are subject to availability and may change the price. " +
	"Dinner must be reserved at the front desk on arrival and cannot be exchanged for cash or " +
	"moved to another stay. Children under 6 stay free in their parents' room with breakfast; " +
	"extra beds for older children are charged per night. Parking, spa access and late check-out " +
	"are not included unless stated in the package name. City tax is payable at the hotel. A " +
	"valid card is required at booking to guarantee the reservation and will be charged the full " +
	"amount 14 days before arrival. No-shows are charged the full stay. The hotel may ask for " +
	"photo identification and a deposit for incidentals at check-in. Offers cannot be combined."

// PublishPackage is Publish for package rates, whose terms travel with them.
func (p *RatePlans) PublishPackage(ctx context.Context, plan RatePlan) error {
	b, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	api, rc := p.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: p.Namespace(),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:      p.key(plan.Code),
			Value:    string(b),
			Metadata: map[string]interface{}{"code": plan.Code, "currency": plan.Currency, "terms": promoTerms}, // EXPECT kvlimits
		}},
	})
	return err
}

const (
	horizonNights = 730
	rateSlots     = 16 // room types × occupancy priced per night
)

func (p *RatePlans) nightKey(code string, night time.Time, slot int) string {
	return fmt.Sprintf("%s/%s/%02d", p.key(code), night.Format("2006-01-02"), slot)
}

// PrimeCalendar writes the nightly price of every slot for the whole booking
// horizon, for the booking engine's calendar view.
func (p *RatePlans) PrimeCalendar(ctx context.Context, code string, price func(night time.Time, slot int) int64) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, horizonNights*rateSlots)
	start := time.Now().UTC().Truncate(24 * time.Hour)
	for n := range horizonNights {
		night := start.AddDate(0, 0, n)
		for slot := range rateSlots {
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:   p.nightKey(code, night, slot),
				Value: strconv.FormatInt(price(night, slot), 10),
			})
		}
	}
	api, rc := p.API()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: p.Namespace(), KVs: pairs}) // EXPECT kvlimits
	return err
}

// PrimeSeason is PrimeCalendar for one season, written in bulk chunks.
func (p *RatePlans) PrimeSeason(ctx context.Context, code string, from time.Time, nights int, price func(night time.Time, slot int) int64) error {
	var pairs []*cloudflare.WorkersKVPair
	for n := range nights {
		night := from.AddDate(0, 0, n)
		for slot := range rateSlots {
			pairs = append(pairs, &cloudflare.WorkersKVPair{
				Key:   p.nightKey(code, night, slot),
				Value: strconv.FormatInt(price(night, slot), 10),
			})
		}
	}
	api, rc := p.API()
	const chunk = 10000
	for len(pairs) > 0 {
		n := min(len(pairs), chunk)
		if _, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: p.Namespace(), KVs: pairs[:n]}); err != nil {
			return err
		}
		pairs = pairs[n:]
	}
	return nil
}
