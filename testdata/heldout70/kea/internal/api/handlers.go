package api

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/common/utils"
	"github.com/cloudwego/hertz/pkg/protocol/consts"

	"github.com/kea-mobility/kea/internal/drivers"
	"github.com/kea-mobility/kea/internal/promo"
	"github.com/kea-mobility/kea/internal/riders"
	"github.com/kea-mobility/kea/internal/trips"
)

type locationRequest struct {
	DriverID string  `path:"id" vd:"len($)>0"`
	Lat      float64 `json:"lat" vd:"$>=-90 && $<=90"`
	Lng      float64 `json:"lng" vd:"$>=-180 && $<=180"`
	Heading  int     `json:"heading"`
	TS       int64   `json:"ts"`
}

func (d *Deps) reportLocation(ctx context.Context, c *app.RequestContext) {
	var req locationRequest
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	at := time.Now()
	if req.TS > 0 {
		at = time.Unix(req.TS, 0)
	}
	zone, err := d.Drivers.Report(ctx, drivers.Location{DriverID: req.DriverID, Lat: req.Lat, Lng: req.Lng, Heading: req.Heading, At: at})
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"zone": zone})
}

func (d *Deps) setStatus(ctx context.Context, c *app.RequestContext) {
	var req struct {
		DriverID string `path:"id"`
		Status   string `json:"status" vd:"in($,'offline','idle','on_trip','break')"`
	}
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	if err := d.Drivers.SetStatus(ctx, req.DriverID, drivers.Status(req.Status)); err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"status": req.Status})
}

func (d *Deps) setPreferences(ctx context.Context, c *app.RequestContext) {
	var req struct {
		DriverID    string   `path:"id"`
		MaxPickupKM *float64 `json:"max_pickup_km" vd:"$==nil || ($>0 && $<=25)"`
		Airports    *bool    `json:"airports"`
		Zones       []string `json:"zones"`
	}
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	err := d.Drivers.UpdatePreferences(ctx, req.DriverID, func(p *drivers.Preferences) {
		if req.MaxPickupKM != nil {
			p.MaxPickupKM = *req.MaxPickupKM
		}
		if req.Airports != nil {
			p.Airports = *req.Airports
		}
		if req.Zones != nil {
			p.Zones = req.Zones
		}
	})
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"ok": true})
}

type completeRequest struct {
	DriverID  string  `path:"id"`
	TripID    string  `path:"trip" vd:"len($)>0"`
	RiderID   string  `json:"rider_id" vd:"len($)>0"`
	FareCents int64   `json:"fare_cents" vd:"$>0"`
	Surge     float64 `json:"surge"`
	Promo     string  `json:"promo"`
}

func (d *Deps) completeTrip(ctx context.Context, c *app.RequestContext) {
	var req completeRequest
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	rc := trips.Receipt{
		TripID: req.TripID, RiderID: req.RiderID, DriverID: req.DriverID,
		FareCents: req.FareCents, Surge: req.Surge, PromoCode: req.Promo, Finished: time.Now(),
	}
	if err := d.Receipts.Save(ctx, rc); err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	_ = d.Status.Publish(ctx, trips.Status{TripID: req.TripID, State: "completed", DriverID: req.DriverID})
	stamp, _ := json.Marshal(utils.H{"trip": req.TripID, "at": rc.Finished})
	if err := d.KV.PutForever(ctx, lastTripKey, stamp); err != nil { // EXPECT kvhotkey
		log.Printf("api: last trip stamp: %v", err)
	}
	if err := d.Drivers.FlushTrail(ctx, req.DriverID, d.TrailWindow); err != nil {
		log.Printf("api: trail %s: %v", req.TripID, err)
	}
	if err := d.Drivers.RecordTrip(ctx, req.DriverID, req.TripID); err != nil {
		log.Printf("api: driver recent trips: %v", err)
	}
	if req.Promo != "" {
		if err := d.Promos.MarkUsed(ctx, req.Promo, req.RiderID, req.TripID); err != nil {
			log.Printf("api: promo %s used: %v", req.Promo, err)
		}
	}
	c.JSON(consts.StatusOK, utils.H{"receipt": rc})
}

// waitDriver is a long poll: it answers when the assigned driver reports a
// new position or after the timeout.
func (d *Deps) waitDriver(ctx context.Context, c *app.RequestContext) {
	driverID := c.Param("driver")
	since := time.Unix(0, 0)
	if s := c.Query("since"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			since = t
		}
	}
	wait, err := time.ParseDuration(c.DefaultQuery("wait", "25s"))
	if err != nil {
		wait = 25 * time.Second
	}
	wctx, cancel := context.WithTimeout(ctx, min(wait, 30*time.Second))
	defer cancel()
	loc, ok := d.Drivers.WaitForFix(wctx, driverID, since)
	if !ok {
		if loc, found, err := d.Drivers.Latest(ctx, driverID); err == nil && found {
			c.JSON(consts.StatusOK, utils.H{"location": loc, "fresh": false})
			return
		}
		c.AbortWithStatus(consts.StatusNoContent)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"location": loc, "fresh": true})
}

func (d *Deps) redeem(ctx context.Context, c *app.RequestContext) {
	rider := c.MustGet(ctxRider).(string)
	code, err := d.Promos.Redeem(ctx, c.Param("code"), rider)
	switch {
	case errors.Is(err, promo.ErrUnknown):
		c.AbortWithStatus(consts.StatusNotFound)
	case errors.Is(err, promo.ErrExhausted):
		c.AbortWithStatus(consts.StatusGone)
	case err != nil:
		fail(c, consts.StatusBadGateway, err)
	default:
		c.JSON(consts.StatusOK, utils.H{"percent_off": code.PercentOff})
	}
}

func (d *Deps) claimHandle(ctx context.Context, c *app.RequestContext) {
	var req struct {
		Handle string `json:"handle" vd:"regexp('^[a-z0-9-]{3,24}$')"`
	}
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	rider := c.MustGet(ctxRider).(string)
	switch err := d.Profiles.ClaimHandle(ctx, rider, req.Handle); {
	case errors.Is(err, riders.ErrTaken):
		c.AbortWithStatus(consts.StatusConflict)
	case err != nil:
		fail(c, consts.StatusBadGateway, err)
	default:
		c.JSON(consts.StatusOK, utils.H{"handle": req.Handle})
	}
}

func (d *Deps) receipts(ctx context.Context, c *app.RequestContext) {
	rider := c.MustGet(ctxRider).(string)
	ids, next, err := d.Receipts.RecentPage(ctx, rider, c.Query("cursor"))
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"trips": ids, "cursor": next})
}

func (d *Deps) receipt(ctx context.Context, c *app.RequestContext) {
	rider := c.MustGet(ctxRider).(string)
	rc, err := d.Receipts.Summary(ctx, rider+":"+c.Param("trip"))
	if err != nil {
		fail(c, consts.StatusNotFound, err)
		return
	}
	c.JSON(consts.StatusOK, rc)
}

func (d *Deps) sweep(ctx context.Context, c *app.RequestContext) {
	rep, err := d.Drivers.SweepAvailability(ctx)
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, rep)
}

func (d *Deps) issueCampaign(ctx context.Context, c *app.RequestContext) {
	var cmp promo.Campaign
	if err := c.BindAndValidate(&cmp); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	codes, err := d.Promos.Issue(ctx, cmp)
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusCreated, utils.H{"codes": codes})
}
