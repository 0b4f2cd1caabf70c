// Command orderd runs Kingfisher's order-event router: it consumes order,
// payment and customer events, keeps the order projections in KV that the
// portal Worker serves, and hands notification requests to the asynq workers.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/hibiken/asynq"

	"github.com/kingfisher-ops/kingfisher/internal/events"
	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
	"github.com/kingfisher-ops/kingfisher/internal/notify"
	"github.com/kingfisher-ops/kingfisher/internal/orders"
	"github.com/kingfisher-ops/kingfisher/internal/prefs"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	if err := run(log); err != nil {
		log.Error("orderd stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := kvstore.FromEnv("KV_ORDERS_NAMESPACE_ID", log)
	if err != nil {
		return err
	}
	wlog := watermill.NewSlogLogger(log)
	bus := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 256, Persistent: false}, wlog)

	queue := asynq.NewClient(asynq.RedisClientOpt{Addr: envOr("REDIS_ADDR", "localhost:6379")})
	defer queue.Close()

	stats := orders.NewDailyStats(store, log)
	handlers := orders.NewHandlers(store, prefs.NewService(store), stats, log)
	dedup := orders.NewDedupRepository(store, 45*time.Second) // EXPECT kvttl

	router, err := orders.NewRouter(handlers, bus, dedup, wlog)
	if err != nil {
		return err
	}
	router.AddNoPublisherHandler("notify-bridge", events.TopicNotifyRequested, bus, notify.Bridge{Client: queue}.Handle)

	go stats.Run(ctx, time.Minute)

	srv := &http.Server{
		Addr:              envOr("ORDERD_ADDR", ":8081"),
		Handler:           webhookMux(store, bus, log),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("webhook server", "err", err)
			stop()
		}
	}()
	context.AfterFunc(ctx, func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
	})

	return router.Run(ctx)
}

// webhookMux receives the payment provider's webhooks and turns declines
// into payments.failed events.
func webhookMux(store *kvstore.Store, pub message.Publisher, log *slog.Logger) http.Handler {
	secret := []byte(os.Getenv("PAYMENTS_WEBHOOK_SECRET"))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/payments", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		mac := hmac.New(sha256.New, secret)
		mac.Write(body)
		if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(r.Header.Get("X-Signature"))) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var hook struct {
			ID   string `json:"id"`
			Type string `json:"type"`
			Data struct {
				OrderID    string `json:"order_id"`
				CustomerID string `json:"customer_id"`
				Code       string `json:"decline_code"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &hook); err != nil {
			http.Error(w, "bad payload", http.StatusBadRequest)
			return
		}
		ctx := r.Context()
		now := time.Now().UTC()
		if err := store.Put(ctx, "webhooks:payments:last-received", []byte(now.Format(time.RFC3339Nano)), 0); err != nil { // EXPECT kvhotkey
			log.WarnContext(ctx, "webhook heartbeat", "err", err)
		}
		if hook.Type != "charge.declined" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		payload, _ := json.Marshal(events.PaymentFailed{
			OrderID:    hook.Data.OrderID,
			CustomerID: hook.Data.CustomerID,
			Code:       hook.Data.Code,
			At:         now,
		})
		msg := message.NewMessage(hook.ID, payload)
		msg.Metadata.Set(events.MetaSource, "payments-webhook")
		msg.Metadata.Set(events.MetaCustomerID, hook.Data.CustomerID)
		if err := pub.Publish(events.TopicPaymentFailed, msg); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	return mux
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
