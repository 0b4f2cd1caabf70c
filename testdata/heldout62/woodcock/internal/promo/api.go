package promo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/fleetbite/woodcock/internal/kvstore"
)

const (
	otpTTL         = 5 * time.Minute
	otpResendAfter = 30 * time.Second
	maxOTPTries    = 5
	courierSessTTL = 12 * time.Hour
)

// SMS sends one-time codes.
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// API is the API Gateway-triggered Lambda (lambda.Start(api.Handle)).
type API struct {
	KV  *kvstore.Namespace
	SMS SMS
}

type bannerMeta struct {
	Code  string `json:"code"`
	Terms string `json:"terms"`
}

func (h *API) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	switch req.HTTPMethod + " " + req.Resource {
	case "GET /promos/{code}":
		return h.getPromo(ctx, req.PathParameters["code"])
	case "POST /promos":
		return h.createPromo(ctx, req)
	case "POST /couriers/otp":
		return h.sendOTP(ctx, req)
	case "POST /couriers/otp/verify":
		return h.verifyOTP(ctx, req)
	case "POST /couriers/{courierId}/password":
		return h.passwordChanged(ctx, req.PathParameters["courierId"])
	}
	return reply(http.StatusNotFound, map[string]string{"error": "no route"})
}

func (h *API) getPromo(ctx context.Context, code string) (events.APIGatewayProxyResponse, error) {
	p, err := load(ctx, h.KV, code)
	if errors.Is(err, kvstore.ErrNotFound) {
		return reply(http.StatusNotFound, map[string]string{"error": "unknown code"})
	} else if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	now := time.Now()
	if now.Before(p.StartsAt) || now.After(p.EndsAt) {
		return reply(http.StatusGone, map[string]string{"error": "promo is not running"})
	}
	return reply(http.StatusOK, p)
}

func (h *API) createPromo(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var p Promo
	if err := json.Unmarshal([]byte(req.Body), &p); err != nil || p.Code == "" || !p.EndsAt.After(p.StartsAt) {
		return reply(http.StatusBadRequest, map[string]string{"error": "invalid promo"})
	}
	key := promoKey(p.Code)
	if _, err := h.KV.Get(ctx, key); err == nil {
		return reply(http.StatusConflict, map[string]string{"error": "code already exists"})
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return events.APIGatewayProxyResponse{}, err
	}
	p.Used = 0
	raw, _ := json.Marshal(p)
	ttl := time.Until(p.EndsAt)                          // EXPECT kvttl
	if err := h.KV.Put(ctx, key, raw, ttl); err != nil { // EXPECT kvrace
		return events.APIGatewayProxyResponse{}, err
	}
	if p.RestaurantID != "" {
		_, err := h.KV.API().KV.Namespaces.Values.Update(ctx, h.KV.ID(), "promo:banner:"+p.RestaurantID, kv.NamespaceValueUpdateParams{
			AccountID:  cloudflare.F(h.KV.AccountID()),
			Value:      cloudflare.F(p.Headline),
			Expiration: cloudflare.F(float64(p.EndsAt.UnixMilli())),                             // EXPECT kvttl
			Metadata:   cloudflare.F[any](bannerMeta{Code: p.Code, Terms: standardBannerTerms}), // EXPECT kvlimits
		})
		if err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
	}
	return reply(http.StatusCreated, p)
}

type otpRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code,omitempty"`
}

func (h *API) sendOTP(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var in otpRequest
	if err := json.Unmarshal([]byte(req.Body), &in); err != nil || in.Phone == "" {
		return reply(http.StatusBadRequest, map[string]string{"error": "phone required"})
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := h.KV.Put(ctx, "otp:"+in.Phone, []byte(code), otpTTL); err != nil { // DEBATABLE kvsession
		return events.APIGatewayProxyResponse{}, err
	}
	// The app polls this key to enable its "send again" button.
	if err := h.KV.Put(ctx, "signin:resend-after:"+in.Phone, []byte("1"), otpResendAfter); err != nil { // EXPECT kvttl
		return events.APIGatewayProxyResponse{}, err
	}
	if err := h.SMS.Send(ctx, in.Phone, "Your FleetBite courier code is "+code); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return reply(http.StatusAccepted, map[string]string{"status": "sent"})
}

func (h *API) verifyOTP(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var in otpRequest
	if err := json.Unmarshal([]byte(req.Body), &in); err != nil {
		return reply(http.StatusBadRequest, map[string]string{"error": "bad request"})
	}
	want, err := h.KV.Get(ctx, "otp:"+in.Phone)
	if errors.Is(err, kvstore.ErrNotFound) {
		return reply(http.StatusUnauthorized, map[string]string{"error": "code expired"})
	} else if err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	if string(want) != in.Code {
		attemptsKey := "signin:attempts:" + in.Phone
		tries := 0
		if raw, err := h.KV.Get(ctx, attemptsKey); err == nil { // EXPECT kvnull
			tries, _ = strconv.Atoi(string(raw))
		}
		tries++
		if err := h.KV.Put(ctx, attemptsKey, []byte(strconv.Itoa(tries)), otpTTL); err != nil { // EXPECT kvcounter|kvrace
			return events.APIGatewayProxyResponse{}, err
		}
		if tries >= maxOTPTries {
			return reply(http.StatusTooManyRequests, map[string]string{"error": "too many attempts"})
		}
		return reply(http.StatusUnauthorized, map[string]string{"error": "incorrect code"})
	}
	if err := h.KV.Delete(ctx, "otp:"+in.Phone); err != nil { // EXPECT kvsession
		return events.APIGatewayProxyResponse{}, err
	}

	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	token := hex.EncodeToString(b[:])
	dir, err := h.KV.Get(ctx, "courier:by-phone:"+in.Phone)
	if err != nil {
		return reply(http.StatusForbidden, map[string]string{"error": "phone is not on the roster"})
	}
	var courier struct {
		CourierID string `json:"courierId"`
		ZoneID    string `json:"zoneId"`
	}
	if err := json.Unmarshal(dir, &courier); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	sess, _ := json.Marshal(map[string]any{"courierId": courier.CourierID, "phone": in.Phone, "zoneId": courier.ZoneID, "issuedAt": time.Now().Unix()})
	if err := h.KV.Put(ctx, "courier:sess:"+token, sess, courierSessTTL); err != nil {
		return events.APIGatewayProxyResponse{}, err
	}
	return reply(http.StatusOK, map[string]string{"token": token})
}

// passwordChanged is called by the identity service; tokens issued before now
// stop being accepted.
func (h *API) passwordChanged(ctx context.Context, courierID string) (events.APIGatewayProxyResponse, error) {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := h.KV.Put(ctx, "courier:revoked-before:"+courierID, []byte(stamp), courierSessTTL); err != nil { // EXPECT kvsession
		return events.APIGatewayProxyResponse{}, err
	}
	return reply(http.StatusNoContent, nil)
}

func reply(status int, body any) (events.APIGatewayProxyResponse, error) {
	resp := events.APIGatewayProxyResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}}
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return resp, err
		}
		resp.Body = string(raw)
	}
	return resp, nil
}
