// Command notifyd runs the notification workers and the periodic digest and
// reconcile tasks.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hibiken/asynq"

	"github.com/kingfisher-ops/kingfisher/internal/kvstore"
	"github.com/kingfisher-ops/kingfisher/internal/notify"
	"github.com/kingfisher-ops/kingfisher/internal/prefs"
)

type logSender struct{ log *slog.Logger }

func (s logSender) Send(ctx context.Context, channel, customerID, body string) error {
	s.log.InfoContext(ctx, "send", "channel", channel, "customer", customerID, "bytes", len(body))
	return nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := kvstore.FromEnv("KV_ORDERS_NAMESPACE_ID", log)
	if err != nil {
		log.Error("config", "err", err)
		os.Exit(1)
	}
	redis := asynq.RedisClientOpt{Addr: os.Getenv("REDIS_ADDR")}
	client := asynq.NewClient(redis)
	defer client.Close()

	budgets := notify.NewRetryBudgets(store, 10, log)
	go budgets.Run(ctx, time.Minute)

	h := notify.NewHandler(store, prefs.NewService(store), logSender{log}, client, budgets, log)
	mux := asynq.NewServeMux()
	h.Register(mux)

	srv := asynq.NewServer(redis, asynq.Config{
		Concurrency: 20,
		Queues: map[string]int{
			notify.QueueCritical: 6,
			notify.QueueDefault:  3,
			notify.QueueLow:      1,
		},
		ErrorHandler:    budgets.ErrorHandler(),
		ShutdownTimeout: 20 * time.Second,
	})

	sched := asynq.NewScheduler(redis, &asynq.SchedulerOpts{Location: time.UTC})
	if _, err := sched.Register("@hourly", asynq.NewTask(notify.TypeDigestFlush, nil), asynq.Unique(50*time.Minute), asynq.Queue(notify.QueueLow)); err != nil {
		log.Error("register digest", "err", err)
		os.Exit(1)
	}
	if _, err := sched.Register("*/15 * * * *", asynq.NewTask(notify.TypeReconcile, nil), asynq.MaxRetry(1), asynq.Queue(notify.QueueLow)); err != nil {
		log.Error("register reconcile", "err", err)
		os.Exit(1)
	}
	if err := sched.Start(); err != nil {
		log.Error("scheduler", "err", err)
		os.Exit(1)
	}
	defer sched.Shutdown()

	if err := srv.Start(mux); err != nil {
		log.Error("server", "err", err)
		os.Exit(1)
	}
	<-ctx.Done()
	srv.Shutdown()
}
