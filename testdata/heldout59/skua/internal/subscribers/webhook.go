package subscribers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/config"
)

type billingEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		SubscriberID string    `json:"subscriber_id"`
		ShowID       string    `json:"show_id"`
		Email        string    `json:"email"`
		Plan         string    `json:"plan"`
		PaidThrough  time.Time `json:"paid_through"`
		FeedToken    string    `json:"feed_token"`
	} `json:"data"`
}

// WebhookHandler returns the handler for the billing provider's webhooks.
func WebhookHandler(t *Tokens, cfg config.Config) gin.HandlerFunc {
	secret := []byte(cfg.BillingSecret)
	log := t.log.Named("webhook")
	return func(c *gin.Context) {
		body, err := io.ReadAll(io.LimitReader(c.Request.Body, 1<<20))
		if err != nil {
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		want := hex.EncodeToString(mac.Sum(nil))
		if !hmac.Equal([]byte(want), []byte(c.GetHeader("X-Billing-Signature"))) {
			c.AbortWithStatus(http.StatusUnauthorized)
			return
		}
		var ev billingEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			c.AbortWithStatus(http.StatusBadRequest)
			return
		}
		ctx := c.Request.Context()
		sub := Subscriber{
			ID: ev.Data.SubscriberID, ShowID: ev.Data.ShowID, Email: ev.Data.Email,
			Plan: ev.Data.Plan, PaidThrough: ev.Data.PaidThrough, FeedToken: ev.Data.FeedToken,
		}
		log := log.With(zap.String("event", ev.ID), zap.String("type", ev.Type), zap.String("subscriber", sub.ID))

		switch ev.Type {
		case "subscription.created":
			sub, err = t.Issue(ctx, sub)
		case "invoice.paid":
			err = t.Renew(ctx, sub)
		case "subscription.canceled", "charge.refunded":
			err = t.Cancel(ctx, sub.ID)
		case "listener.feed_reset":
			sub, err = t.Rotate(ctx, sub.ID)
		case "trial.started":
			sub.FeedToken, err = t.StartTrial(ctx, sub.ShowID, sub.Email)
		default:
			log.Debug("ignored")
			c.Status(http.StatusNoContent)
			return
		}
		if err != nil {
			log.Error("handling billing event", zap.Error(err))
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.JSON(http.StatusOK, gin.H{"feed_url": t.FeedURL(sub)})
	}
}

// Register mounts the billing webhook.
func (t *Tokens) Register(r *gin.Engine, cfg config.Config) {
	r.POST("/webhooks/billing", WebhookHandler(t, cfg))
}
