package orders

import (
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/kingfisher-ops/kingfisher/internal/events"
)

// PubSub is what the router needs from the transport.
type PubSub interface {
	message.Publisher
	message.Subscriber
}

// NewRouter wires the handlers onto a router. Messages that still fail after
// the retries go to the poison topic, whose handler parks them in KV.
func NewRouter(h *Handlers, ps PubSub, dedup middleware.ExpiringKeyRepository, logger watermill.LoggerAdapter) (*message.Router, error) {
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 15 * time.Second}, logger)
	if err != nil {
		return nil, err
	}

	poison, err := middleware.PoisonQueue(ps, events.TopicPoison)
	if err != nil {
		return nil, err
	}
	r.AddMiddleware(
		middleware.CorrelationID,
		poison,
		middleware.Retry{
			MaxRetries:      4,
			InitialInterval: 200 * time.Millisecond,
			MaxInterval:     5 * time.Second,
			Multiplier:      2,
			Logger:          logger,
		}.Middleware,
		middleware.Recoverer,
	)

	d := &middleware.Deduplicator{
		KeyFactory: MessageUUIDKey,
		Repository: dedup,
		Timeout:    2 * time.Second,
	}

	r.AddHandler("order-placed", events.TopicOrderPlaced, ps, events.TopicNotifyRequested, ps, h.OrderPlaced).
		AddMiddleware(d.Middleware)
	r.AddHandler("payment-failed", events.TopicPaymentFailed, ps, events.TopicOrderStatus, ps, h.PaymentFailed).
		AddMiddleware(d.Middleware)
	r.AddNoPublisherHandler("order-amended", events.TopicOrderAmended, ps, h.OrderAmended)
	r.AddNoPublisherHandler("order-status", events.TopicOrderStatus, ps, h.StatusChanged)
	r.AddNoPublisherHandler("customer-logged-out", events.TopicCustomerLoggedOut, ps, h.CustomerLoggedOut)
	r.AddNoPublisherHandler("password-changed", events.TopicPasswordChanged, ps, h.PasswordChanged)
	r.AddNoPublisherHandler("prefs-changed", events.TopicPrefsChanged, ps, h.PreferencesChanged)

	r.AddNoPublisherHandler("poison-park", events.TopicPoison, ps, h.Poisoned)
	return r, nil
}
