// Package pricing computes trip fares from a published fare table.
package pricing

import (
	"errors"
	"time"

	"example.com/shrike/internal/domain"
)

type Band struct {
	FromMin int          `json:"from_min"`
	StepMin int          `json:"step_min"`
	Rate    domain.Money `json:"rate"`
}

type Table struct {
	Version  int            `json:"version"`
	Unlock   domain.Money   `json:"unlock"`
	Bands    []Band         `json:"bands"`
	Cap      domain.Money   `json:"daily_cap"`
	Included int            `json:"included_min"`
	Zones    map[string]int `json:"zone_surcharge_pct,omitempty"`
}

func (t Table) Validate() error {
	for i, b := range t.Bands {
		if b.StepMin <= 0 || (i > 0 && b.FromMin <= t.Bands[i-1].FromMin) {
			return errors.New("pricing: bad band table")
		}
	}
	return nil
}

type Trip struct {
	Start, End time.Time
	Zone       string
	Pass       *domain.Pass
	PromoPct   int
}

type Quote struct {
	Version  int          `json:"version"`
	Unlock   domain.Money `json:"unlock"`
	Time     domain.Money `json:"time"`
	Discount domain.Money `json:"discount"`
	Total    domain.Money `json:"total"`
}

func (t Table) Price(trip Trip) Quote {
	q := Quote{Version: t.Version, Unlock: t.Unlock}
	mins := int(trip.End.Sub(trip.Start).Minutes())
	if trip.Pass != nil && trip.Pass.Active(trip.Start) {
		q.Unlock = 0
		mins -= t.Included
	}
	for i, b := range t.Bands {
		end := mins
		if i+1 < len(t.Bands) {
			end = min(mins, t.Bands[i+1].FromMin)
		}
		if span := end - b.FromMin; span > 0 {
			q.Time += b.Rate * domain.Money((span+b.StepMin-1)/b.StepMin)
		}
	}
	q.Time += q.Time * domain.Money(t.Zones[trip.Zone]) / 100
	sub := q.Unlock + q.Time
	if t.Cap > 0 {
		sub = min(sub, t.Cap)
	}
	q.Discount = sub * domain.Money(min(trip.PromoPct, 100)) / 100
	q.Total = sub - q.Discount
	return q
}

func Standard() Table {
	return Table{
		Unlock:   100,
		Bands:    []Band{{FromMin: 0, StepMin: 15, Rate: 75}, {FromMin: 60, StepMin: 15, Rate: 150}},
		Cap:      1800,
		Included: 45,
		Zones:    map[string]int{"downtown": 10},
	}
}
