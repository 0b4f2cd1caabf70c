// Package notify sends customer notifications from asynq workers: one task
// per channel, hourly digests, and the throttles and retry budgets that keep
// a noisy order from paging a customer all night.
package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/hibiken/asynq"

	"github.com/kingfisher-ops/kingfisher/internal/events"
)

// Task types.
const (
	TypeSend        = "notify:send"
	TypeDigestFlush = "notify:digest_flush"
	TypeReconcile   = "notify:reconcile"
	TypeUnsubscribe = "prefs:unsubscribe"
	TypeVerifyPhone = "prefs:verify_phone"
)

// Queues.
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// SendPayload is the payload of a TypeSend task.
type SendPayload struct {
	CustomerID string            `json:"customer_id"`
	OrderID    string            `json:"order_id"`
	Template   string            `json:"template"`
	Params     map[string]string `json:"params,omitempty"`
	Channel    string            `json:"channel"`
	Urgent     bool              `json:"urgent,omitempty"`
}

// NewSendTask builds a send task. The task id makes a redelivered
// notify.requested message enqueue nothing new.
func NewSendTask(p SendPayload, sourceMsgID string) (*asynq.Task, error) {
	payload, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	queue := QueueDefault
	if p.Urgent {
		queue = QueueCritical
	}
	return asynq.NewTask(TypeSend, payload,
		asynq.TaskID(fmt.Sprintf("send:%s:%s", sourceMsgID, p.Channel)),
		asynq.Queue(queue),
		asynq.MaxRetry(6),
		asynq.Timeout(30*time.Second),
		asynq.Retention(24*time.Hour),
	), nil
}

// UnsubscribePayload is the payload of a TypeUnsubscribe task.
type UnsubscribePayload struct {
	Token string `json:"token"`
}

// VerifyPhonePayload is the payload of a TypeVerifyPhone task.
type VerifyPhonePayload struct {
	CustomerID string `json:"customer_id"`
	Phone      string `json:"phone"`
	Code       string `json:"code,omitempty"`
}

// Enqueuer is the part of *asynq.Client the bridge uses.
type Enqueuer interface {
	Enqueue(task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Bridge turns notify.requested messages from the order router into one
// send task per channel.
type Bridge struct {
	Client Enqueuer
}

// Handle is a watermill NoPublishHandlerFunc.
func (b Bridge) Handle(msg *message.Message) error {
	var req events.NotifyRequested
	if err := json.Unmarshal(msg.Payload, &req); err != nil {
		return err
	}
	for _, ch := range req.Channels {
		t, err := NewSendTask(SendPayload{
			CustomerID: req.CustomerID,
			OrderID:    req.OrderID,
			Template:   req.Template,
			Params:     req.Params,
			Channel:    ch,
			Urgent:     req.Template == "payment_declined",
		}, msg.UUID)
		if err != nil {
			return err
		}
		if _, err := b.Client.Enqueue(t, asynq.Unique(10*time.Minute)); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
			return err
		}
	}
	return nil
}
