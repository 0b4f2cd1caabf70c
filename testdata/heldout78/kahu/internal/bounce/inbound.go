package bounce

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"time"

	"kahu/internal/kv"
	"kahu/internal/mail"
)

// Processor turns inbound DSNs and webhook reports into Events and runs
// them through the classifier chain.
type Processor struct {
	Chain   Classifier
	Status  kv.Namespace
	Decoder func(local string) (customer, queueID, rcpt string, ok bool) // VERP decoding
}

// Inbound handles a DSN delivered to the return-path domain over SMTP.
func (p *Processor) Inbound(ctx context.Context, msg *mail.Message) error {
	for _, rcpt := range msg.Recipients {
		local, _, _ := strings.Cut(rcpt, "@")
		customer, queueID, orig, ok := p.Decoder(local)
		if !ok {
			continue
		}
		ev := &Event{
			Customer:  customer,
			QueueID:   queueID,
			Recipient: orig,
			Kind:      "bounce",
			At:        msg.ReceivedAt,
		}
		ev.Status, ev.Diagnostic = parseDSN(msg.Body)
		if strings.Contains(msg.Header.Get("Content-Type"), "feedback-report") {
			ev.Kind = "complaint"
		} else if msg.Header.Get("Auto-Submitted") == "auto-replied" {
			ev.Kind = "autoreply"
		}
		d, err := p.Chain.Handle(ctx, ev)
		if err != nil {
			return err
		}
		log.Printf("bounce: %s %s -> %s by %s", queueID, ev.Status, d.Action, d.By)
	}
	return nil
}

// parseDSN pulls Status and Diagnostic-Code out of a message/delivery-status part.
func parseDSN(body []byte) (status, diag string) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "Status: "); ok && status == "" {
			status = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "Diagnostic-Code: "); ok && diag == "" {
			diag = strings.TrimSpace(v)
		}
	}
	if status == "" {
		status = "5.0.0"
	}
	return status, diag
}

// ServeHTTP accepts batched events from the outbound MTA fleet.
func (p *Processor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	var events []Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&events); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	counts := map[string]int{}
	for i := range events {
		ev := &events[i]
		d, err := p.Chain.Handle(ctx, ev)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		counts[d.Action]++
		st, _ := json.Marshal(map[string]string{"status": ev.Status, "action": d.Action})
		if err := p.Status.PutTTL(ctx, "rcpt-status:"+ev.QueueID+":"+mail.Fingerprint(ev.Recipient), st, 30*24*time.Hour); err != nil {
			log.Printf("bounce: status %s: %v", ev.QueueID, err)
		}
	}
	summary, _ := json.Marshal(struct {
		At     time.Time      `json:"at"`
		Events int            `json:"events"`
		Counts map[string]int `json:"counts"`
	}{time.Now(), len(events), counts})
	if err := p.Status.Put(ctx, "bounce:last-batch", summary); err != nil { // EXPECT kvhotkey
		log.Printf("bounce: summary: %v", err)
	}
	w.WriteHeader(http.StatusNoContent)
}
