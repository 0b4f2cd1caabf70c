// Command deskbot runs the Telegram bot and the hourly jobs.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/egretdesk/egret/internal/bot"
	"github.com/egretdesk/egret/internal/chatsettings"
	"github.com/egretdesk/egret/internal/jobs"
	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/linking"
	"github.com/egretdesk/egret/internal/tickets"
)

func main() {
	mode := flag.String("mode", "poll", "poll or webhook")
	listen := flag.String("listen", ":8081", "webhook listen address")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	ns := kvstore.Open(cf, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("DESK_KV_NAMESPACE"))

	tg, err := tgbotapi.NewBotAPI(os.Getenv("TELEGRAM_TOKEN"))
	if err != nil {
		log.Error("telegram", "err", err)
		os.Exit(1)
	}

	quota, _ := strconv.Atoi(os.Getenv("DESK_DAILY_QUOTA"))
	ticketSvc := tickets.NewService(ns, quota)
	settings := chatsettings.New(ns)
	links := linking.New(ns, os.Getenv("CONSOLE_URL"))
	b := bot.New(tg, ns, ticketSvc, settings, links, log)

	runner := jobs.New(ns, ticketSvc, tg, log)
	go func() {
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				runner.Tick(ctx)
				if chats := parseChats(os.Getenv("DESK_QUEUE_CHATS")); len(chats) > 0 {
					if err := runner.RebuildOpenIndex(ctx, chats); err != nil {
						log.Warn("open index", "err", err)
					}
				}
			}
		}
	}()

	switch *mode {
	case "webhook":
		srv := &http.Server{Addr: *listen}
		go func() {
			if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				log.Error("listen", "err", err)
				stop()
			}
		}()
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		b.Webhook(ctx, "/tg/"+os.Getenv("TG_WEBHOOK_SECRET"))
	default:
		if err := b.Poll(ctx); err != nil && ctx.Err() == nil {
			log.Error("poll", "err", err)
			os.Exit(1)
		}
	}
}

func parseChats(s string) []int64 {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
