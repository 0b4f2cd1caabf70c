package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

const (
	reportRetention     = 90 * 24 * time.Hour
	riderSummaryTTL     = 7 * 24 * time.Hour
	bulkMaxPairs        = 10000
	dashboardTTLSeconds = 30
	gridSide            = 128
)

// reportLicense travels with each daily summary so that partners who
// receive an export know the terms it is shared under.
const reportLicense = "This fleet report is provided by Crake Mobility to municipal " +
	"partners under the Shared Micromobility Data Agreement. Aggregated trip counts, " +
	"dwell times and parking compliance figures may be published by the receiving " +
	"authority provided that no figure describes fewer than five distinct riders and " +
	"that no scooter identifier, rider identifier, precise start or end coordinate or " +
	"timestamp finer than one hour is disclosed. Raw records must not be combined with " +
	"other data sets for the purpose of identifying individuals, must be stored inside " +
	"the European Economic Area, and must be deleted no later than ninety days after " +
	"receipt unless a longer period is required by law. Derived products must credit " +
	"Crake Mobility as the source. Questions about this report, corrections and " +
	"deletion requests should be sent to data-partners@crake.example, quoting the " +
	"report day and the partner reference printed in the export header. Crake Mobility " +
	"makes no warranty as to the completeness of figures for days with telemetry gaps; " +
	"such days are flagged in the export and should be excluded from trend analysis."

// ScooterReport is one scooter's activity on one day.
type ScooterReport struct {
	ScooterID string  `json:"scooterId"`
	Rides     int     `json:"rides"`
	Minutes   int     `json:"minutes"`
	KM        float64 `json:"km"`
	Silent    bool    `json:"silent"`
}

type reportMeta struct {
	Day   string `json:"day"`
	Rides int    `json:"rides"`
}

// ExportDay writes one report per scooter, the day summary and the
// lifetime totals.
func (c *Client) ExportDay(ctx context.Context, day string, reports []ScooterReport) error {
	pending := make(map[string]kv.NamespaceValueUpdateParams, len(reports))
	total := 0
	for _, r := range reports {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		p := c.valueParams(string(b))
		p.Metadata = cloudflare.F[any](reportMeta{Day: day, Rides: r.Rides})
		p.ExpirationTTL = cloudflare.F(float64(reportRetention)) // EXPECT kvttl
		pending["report:"+day+":"+r.ScooterID] = p
		total += r.Rides
	}
	for key, p := range pending {
		if err := c.put(ctx, c.ns.Reports, key, p); err != nil {
			return err
		}
		if err := c.put(ctx, c.ns.Reports, "reports:latest", c.valueParams(day)); err != nil { // EXPECT kvhotkey
			return err
		}
	}

	summary := c.valueParams(fmt.Sprintf(`{"day":%q,"scooters":%d,"rides":%d}`, day, len(reports), total))
	summary.Metadata = cloudflare.F[any](map[string]string{
		"day":     day,
		"license": reportLicense, // EXPECT kvlimits
	})
	summary.ExpirationTTL = cloudflare.F(reportRetention.Seconds())
	if err := c.put(ctx, c.ns.Reports, "summary:"+day, summary); err != nil {
		return err
	}
	if err := c.put(ctx, c.ns.Reports, "stats:ride-count:"+day, c.valueParams(strconv.Itoa(total))); err != nil { // DEBATABLE kvcounter
		return err
	}
	return c.addLifetimeRides(ctx, total)
}

func (c *Client) addLifetimeRides(ctx context.Context, n int) error {
	raw, err := c.getRaw(ctx, c.ns.Reports, "stats:rides-total")
	if err != nil && !isNotFound(err) {
		return err
	}
	prev := 0
	if err == nil {
		if prev, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("ops: bad lifetime total %q: %w", raw, err)
		}
	}
	return c.put(ctx, c.ns.Reports, "stats:rides-total", c.valueParams(strconv.Itoa(prev+n))) // EXPECT kvcounter|kvrace
}

// RiderSummary is what the app shows on a rider's "your month" card.
type RiderSummary struct {
	RiderID string `json:"riderId"`
	Rides   int    `json:"rides"`
	KM      int    `json:"km"`
	CO2g    int    `json:"co2g"`
}

// PublishRiderSummaries bulk-writes the monthly cards, 10,000 per request.
func (c *Client) PublishRiderSummaries(ctx context.Context, month string, sums []RiderSummary) (failed []string, err error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(sums))
	for _, s := range sums {
		b, _ := json.Marshal(s)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("rider-month:" + s.RiderID + ":" + month),
			Value:         cloudflare.F(string(b)),
			ExpirationTTL: cloudflare.F(riderSummaryTTL.Seconds()),
		})
	}
	for start := 0; start < len(body); start += bulkMaxPairs {
		end := min(start+bulkMaxPairs, len(body))
		res, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.ns.Reports, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      body[start:end],
		})
		if err != nil {
			return failed, err
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

// PublishDashboard pushes the live fleet tiles that the operations
// dashboard polls.
func (c *Client) PublishDashboard(ctx context.Context, tiles map[string]string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(tiles))
	for name, v := range tiles {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("dash:" + name),
			Value:         cloudflare.F(v),
			ExpirationTTL: cloudflare.F(float64(dashboardTTLSeconds)), // EXPECT kvttl
		})
	}
	_, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.ns.Reports, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}

// PublishDemandGrid writes the demand forecast for every cell of the
// city grid.
func (c *Client) PublishDemandGrid(ctx context.Context, forecast func(x, y int) float64) error {
	cells := make([]kv.NamespaceBulkUpdateParamsBody, gridSide*gridSide)
	for i := range cells {
		x, y := i%gridSide, i/gridSide
		cells[i] = kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(fmt.Sprintf("demand:%03d:%03d", x, y)),
			Value:         cloudflare.F(strconv.FormatFloat(forecast(x, y), 'f', 3, 64)),
			ExpirationTTL: cloudflare.F((26 * time.Hour).Seconds()),
		}
	}
	_, err := c.api.KV.Namespaces.BulkUpdate(ctx, c.ns.Grid, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: cells}) // EXPECT kvlimits
	return err
}
