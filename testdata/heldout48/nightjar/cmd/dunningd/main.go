// Command dunningd runs one dunning pass for a shard and exits. It is
// scheduled once a day per shard.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"net/smtp"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"github.com/ledgerline/nightjar/internal/billingdb"
	"github.com/ledgerline/nightjar/internal/dunning"
	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvx"
)

type smtpMailer struct{ addr, from, domain string }

func (m smtpMailer) send(to, subject string, body []byte) error {
	msg := append([]byte("Subject: "+subject+"\r\n\r\n"), body...)
	return smtp.SendMail(m.addr, nil, m.from, []string{to + "@" + m.domain}, msg)
}

func (m smtpMailer) SendReminder(ctx context.Context, ref keys.InvoiceRef, stage string) error {
	return m.send("billing+"+ref.Tenant, "Invoice reminder ("+stage+")", []byte("Invoice "+ref.ID+" is at stage "+stage+"."))
}

func (m smtpMailer) SendDigest(ctx context.Context, tenant string, body []byte) error {
	return m.send("finance+"+tenant, "Dunning digest", body)
}

func main() {
	shard := flag.Int("shard", 0, "shard handled by this job")
	workers := flag.Int("workers", 16, "invoices advanced in parallel")
	digests := flag.Bool("digests", false, "also send tenant digests")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("shard", *shard)

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()

	cf := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	kv := kvx.New(cf, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	host, _ := os.Hostname()
	domain := os.Getenv("MAIL_DOMAIN")
	mailer := smtpMailer{addr: os.Getenv("SMTP_ADDR"), from: "billing@" + domain, domain: domain}
	r := dunning.NewRunner(kv, mailer, dunning.Config{
		Owner:       fmt.Sprintf("%s/%d", host, os.Getpid()),
		Shard:       *shard,
		Concurrency: *workers,
		LeaseFor:    5 * time.Minute,
	}, log)

	db, err := sql.Open(os.Getenv("DB_DRIVER"), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Error("database", "err", err)
		os.Exit(1)
	}
	overdue, err := billingdb.New(db).NewlyOverdue(ctx, time.Now().AddDate(0, 0, -1))
	if err != nil {
		log.Error("overdue query", "err", err)
		os.Exit(1)
	}
	for _, ref := range overdue {
		if err := r.Enqueue(ctx, ref); err != nil {
			log.Warn("enqueue", "invoice", ref.ID, "err", err)
		}
	}
	sum, err := r.Run(ctx, overdue)
	if err != nil {
		log.Error("dunning run failed", "err", err)
		os.Exit(1)
	}
	log.Info("dunning run finished", "summary", sum)
	if *digests {
		if err := r.SendDigests(ctx); err != nil {
			log.Error("digests", "err", err)
			os.Exit(1)
		}
	}
}
