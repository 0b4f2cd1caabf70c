// Package api is the dispatch service's HTTP API, served by Hertz.
package api

import (
	"context"
	"errors"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/cloudwego/hertz/pkg/common/utils"
	"github.com/cloudwego/hertz/pkg/protocol/consts"

	"github.com/kea-mobility/kea/internal/cluster"
	"github.com/kea-mobility/kea/internal/drivers"
	"github.com/kea-mobility/kea/internal/kvstore"
	"github.com/kea-mobility/kea/internal/promo"
	"github.com/kea-mobility/kea/internal/riders"
	"github.com/kea-mobility/kea/internal/surge"
	"github.com/kea-mobility/kea/internal/trips"
)

const (
	sessionCookie = "kea_sess"
	ctxSession    = "session"
	ctxRider      = "rider_id"
	lastTripKey   = "stats:last_trip_completed"
)

// Deps are the services the handlers call.
type Deps struct {
	KV       *kvstore.Store
	Drivers  *drivers.Tracker
	Surge    *surge.Engine
	Sessions *riders.Sessions
	OTP      *riders.OTP
	Limits   *riders.Limiter
	Profiles *riders.Profiles
	Promos   *promo.Book
	Receipts *trips.Receipts
	Status   *trips.StatusBoard
	Cluster  *cluster.Node
	Demand   func(zone string) surge.Demand
	OpsToken string

	// TrailWindow is how long a finished trip's GPS trail is kept for
	// dispute replay, per unit of trip time.
	TrailWindow time.Duration
}

// New builds the Hertz server with every route.
func New(addr string, d *Deps) *server.Hertz {
	h := server.Default(server.WithHostPorts(addr), server.WithExitWaitTime(10*time.Second))

	v1 := h.Group("/v1")
	v1.POST("/auth/otp", d.startOTP)
	v1.POST("/auth/verify", d.verifyOTP)
	v1.POST("/auth/refresh", d.refresh)
	v1.GET("/zones/:zone/surge", d.zoneSurge)

	drv := v1.Group("/drivers", d.driverAuth)
	drv.POST("/:id/location", d.reportLocation)
	drv.PUT("/:id/status", d.setStatus)
	drv.PATCH("/:id/preferences", d.setPreferences)
	drv.POST("/:id/trips/:trip/complete", d.completeTrip)

	rid := v1.Group("/riders", d.riderAuth, d.requestLimit)
	rid.POST("/logout", d.logout)
	rid.GET("/drivers/:driver/wait", d.waitDriver)
	rid.POST("/promos/:code/redeem", d.redeem)
	rid.PUT("/handle", d.claimHandle)
	rid.GET("/receipts", d.receipts)
	rid.GET("/receipts/:trip", d.receipt)

	ops := v1.Group("/ops", d.opsAuth)
	ops.POST("/sweep", d.sweep)
	ops.POST("/zones/:zone/override", d.override)
	ops.POST("/zones/:zone/burst", d.burst)
	ops.POST("/campaigns", d.issueCampaign)

	h.OnShutdown = append(h.OnShutdown, func(ctx context.Context) {
		if err := d.Promos.FlushViews(ctx); err != nil {
			log.Printf("api: flush promo views: %v", err)
		}
	})
	return h
}

func bearer(c *app.RequestContext) string {
	v := string(c.GetHeader("Authorization"))
	tok, ok := strings.CutPrefix(v, "Bearer ")
	if !ok {
		return ""
	}
	return tok
}

// riderAuth loads the rider's session from the cookie or bearer token.
func (d *Deps) riderAuth(ctx context.Context, c *app.RequestContext) {
	id := string(c.Cookie(sessionCookie))
	if id == "" {
		id = bearer(c)
	}
	if id == "" {
		c.AbortWithStatus(consts.StatusUnauthorized)
		return
	}
	sess, err := d.Sessions.Touch(ctx, id)
	if errors.Is(err, riders.ErrNoSession) {
		c.AbortWithStatus(consts.StatusUnauthorized)
		return
	}
	if err != nil && sess.ID == "" {
		c.AbortWithStatus(consts.StatusServiceUnavailable)
		return
	}
	c.Set(ctxSession, sess)
	c.Set(ctxRider, sess.RiderID)
	c.Next(ctx)
}

// requestLimit applies the per-rider request limit to trip-related calls.
func (d *Deps) requestLimit(ctx context.Context, c *app.RequestContext) {
	rider := c.MustGet(ctxRider).(string)
	d.Cluster.CountHit(rider)
	ok, err := d.Limits.Allow(ctx, rider)
	if err != nil {
		log.Printf("api: limiter: %v", err)
	}
	if !ok {
		c.AbortWithStatusJSON(consts.StatusTooManyRequests, utils.H{"error": "slow down"})
		return
	}
	c.Next(ctx)
}

func (d *Deps) driverAuth(ctx context.Context, c *app.RequestContext) {
	tok := bearer(c)
	if tok == "" || !strings.HasPrefix(tok, "drv_") {
		c.AbortWithStatus(consts.StatusUnauthorized)
		return
	}
	c.Set("driver_token", tok)
	c.Next(ctx)
}

func (d *Deps) opsAuth(ctx context.Context, c *app.RequestContext) {
	if d.OpsToken == "" || bearer(c) != d.OpsToken {
		c.AbortWithStatus(consts.StatusForbidden)
		return
	}
	c.Next(ctx)
}

func fail(c *app.RequestContext, code int, err error) {
	c.JSON(code, utils.H{"error": err.Error()})
}

// ---- auth ----

type otpRequest struct {
	Phone string `json:"phone" vd:"regexp('^\\+[0-9]{8,15}$')"`
	Code  string `json:"code"`
	App   string `header:"X-Kea-App"`
}

func (d *Deps) startOTP(ctx context.Context, c *app.RequestContext) {
	var req otpRequest
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	if _, err := d.OTP.Issue(ctx, req.Phone); err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusAccepted, utils.H{"sent": true})
}

func (d *Deps) verifyOTP(ctx context.Context, c *app.RequestContext) {
	var req otpRequest
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	if err := d.OTP.Verify(ctx, req.Phone, req.Code); err != nil {
		fail(c, consts.StatusUnauthorized, err)
		return
	}
	sess, err := d.Sessions.Create(ctx, "r_"+strings.TrimPrefix(req.Phone, "+"), req.App)
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.SetCookie(sessionCookie, sess.ID, int((30 * 24 * time.Hour).Seconds()), "/", "", 0, true, true)
	c.JSON(consts.StatusOK, utils.H{"session": sess.ID, "refresh": sess.Refresh})
}

func (d *Deps) refresh(ctx context.Context, c *app.RequestContext) {
	var req struct {
		Refresh string `json:"refresh" vd:"len($)>10"`
		Device  string `json:"device"`
	}
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	sess, err := d.Sessions.Rotate(ctx, req.Refresh, req.Device)
	if err != nil {
		fail(c, consts.StatusUnauthorized, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"session": sess.ID, "refresh": sess.Refresh})
}

func (d *Deps) logout(ctx context.Context, c *app.RequestContext) {
	sess := c.MustGet(ctxSession).(riders.Session)
	if err := d.Sessions.End(ctx, sess); err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", 0, true, true)
	c.JSON(consts.StatusOK, utils.H{"ok": true})
}

// ---- zones ----

func (d *Deps) zoneSurge(ctx context.Context, c *app.RequestContext) {
	zone := c.Param("zone")
	m, err := d.Surge.Current(ctx, zone, d.Demand)
	if err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"zone": zone, "multiplier": m})
}

type overrideRequest struct {
	Zone       string  `path:"zone" vd:"len($)>0"`
	Multiplier float64 `json:"multiplier" vd:"$>=1 && $<=5"`
	Minutes    int     `query:"minutes" vd:"$>=0"`
}

func (d *Deps) override(ctx context.Context, c *app.RequestContext) {
	var req overrideRequest
	if err := c.BindAndValidate(&req); err != nil {
		fail(c, consts.StatusBadRequest, err)
		return
	}
	period := time.Duration(req.Minutes) * time.Minute
	if err := d.Surge.Override(ctx, req.Zone, req.Multiplier, period); err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"zone": req.Zone})
}

func (d *Deps) burst(ctx context.Context, c *app.RequestContext) {
	m, err := strconv.ParseFloat(c.DefaultQuery("m", "1.5"), 64)
	if err != nil || m < 1 {
		c.AbortWithStatus(consts.StatusBadRequest)
		return
	}
	if err := d.Surge.Burst(ctx, c.Param("zone"), m); err != nil {
		fail(c, consts.StatusBadGateway, err)
		return
	}
	c.JSON(consts.StatusOK, utils.H{"zone": c.Param("zone"), "multiplier": m})
}
