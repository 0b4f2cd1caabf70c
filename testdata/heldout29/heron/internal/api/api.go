// Package api exposes the backend services over HTTP.
package api

import (
	"net/http"

	"example.com/heron/internal/capacity"
	"example.com/heron/internal/giftcard"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/members"
	"example.com/heron/internal/pledges"
)

// Services are the backend services the API exposes.
type Services struct {
	GiftCards *giftcard.Service
	Capacity  *capacity.Service
	Pledges   *pledges.Service
	Members   *members.Service
	Revoker   *members.Revoker
}

// Routes returns the API handler.
// Webhook signatures are checked by the API gateway in front of the
// service; the header is required so unsigned calls fail fast.
func Routes(s Services) http.Handler {
	mux := http.NewServeMux()

	mux.Handle("POST /giftcards", httpx.JSON(s.GiftCards.Issue))
	mux.Handle("POST /giftcards/redeem", httpx.JSON(s.GiftCards.Redeem))
	mux.Handle("POST /giftcards/batches", httpx.JSON(s.GiftCards.PrintBatch))

	mux.Handle("GET /exhibits/{id}", httpx.JSON(s.Capacity.Exhibit))
	mux.Handle("POST /holds", httpx.JSON(s.Capacity.Hold))
	mux.Handle("PUT /schedules", httpx.JSON(s.Capacity.UpdateSchedule))
	mux.Handle("POST /dashboard", httpx.JSON(s.Capacity.Dashboard))

	mux.Handle("POST /pledges", httpx.JSON(s.Pledges.Create))
	webhook := httpx.RequireHeader("X-Signature")
	mux.Handle("POST /webhooks/payments", webhook(httpx.JSON(s.Pledges.RecordPayment)))
	mux.Handle("POST /webhooks/refunds", webhook(httpx.JSON(s.Pledges.RecordRefund)))

	mux.Handle("POST /members/refresh", httpx.JSON(s.Members.Refresh))
	mux.Handle("POST /members/password", httpx.JSON(s.Members.ChangePassword))
	mux.Handle("POST /webhooks/crm/member-created", webhook(httpx.JSON(s.Members.EnsurePrefs)))
	mux.Handle("POST /tokens/revoke", httpx.JSON(s.Revoker.Revoke))

	return httpx.Chain(mux, httpx.Recover)
}
