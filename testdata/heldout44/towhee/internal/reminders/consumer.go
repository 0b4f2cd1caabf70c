//go:build js && wasm

package reminders

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/queues"

	"github.com/riverside-libraries/towhee/internal/edgekv"
	"github.com/riverside-libraries/towhee/internal/keys"
)

// Notice is one entry of the patron's in-app notice list.
type Notice struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`
	Title string    `json:"title"`
}

// Sender delivers reminders. Mail is the transactional mail API endpoint.
type Sender struct {
	Binding string
	Mail    string
	HTTP    *http.Client
	// Snooze is how long a reminder waits before it may be sent again.
	Snooze time.Duration
}

// Consume handles one batch from Queue.
func (s Sender) Consume(batch *queues.MessageBatch) error {
	st, err := edgekv.Open(s.Binding)
	if err != nil {
		return err
	}
	inflight := cloudflare.KVNamespacePutOptions{}

	var wg sync.WaitGroup
	for _, msg := range batch.Messages {
		body, err := msg.BytesBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var job Job
		if err := json.Unmarshal(body, &job); err != nil {
			log.Printf("reminder %s: %v", msg.ID, err)
			msg.Ack()
			continue
		}

		sentKey := keys.ReminderSent(job.Card, job.ItemID, time.Now().UTC())
		if _, sent, err := st.Get(sentKey); err == nil && sent {
			msg.Ack()
			continue
		}
		inflightKey := fmt.Sprintf("reminder:inflight:%s:%d", job.Card, job.ItemID)
		inflight.Expiration = int(time.Now().Add(30 * time.Second).Unix()) // EXPECT kvttl
		if err := st.NS.PutString(inflightKey, msg.ID, &inflight); err != nil {
			msg.Retry()
			continue
		}

		if err := s.send(job); err != nil {
			log.Printf("send reminder %s: %v", msg.ID, err)
			msg.Retry(queues.WithRetryDelay(5 * time.Minute))
			continue
		}
		if err := st.Put(sentKey, msg.ID, 8*24*time.Hour); err != nil {
			log.Printf("mark sent %s: %v", sentKey, err)
		}
		line := fmt.Sprintf("%s\t%d\t%s", time.Now().UTC().Format(time.RFC3339), job.ItemID, job.Due.Format("2006-01-02"))
		if err := st.Append(fmt.Sprintf("reminder:log:%s", job.Card), line, 90*24*time.Hour); err != nil {
			log.Printf("reminder log %s: %v", job.Card, err)
		}
		if err := st.NS.PutString("reminders:last-delivered", msg.ID, nil); err != nil { // EXPECT kvhotkey
			log.Printf("last-delivered: %v", err)
		}

		wg.Add(1)
		go func() {
			defer wg.Done()
			s.addNotice(st, job)
		}()
		if s.Snooze > 0 {
			next := job.Due.Add(-s.Snooze)
			snoozeKey := fmt.Sprintf("reminder:snooze:%s:%d", job.Card, job.ItemID)
			if err := st.Put(snoozeKey, "1", max(time.Until(next), 10*time.Second)); err != nil { // EXPECT kvttl
				log.Printf("snooze: %v", err)
			}
		}
		msg.Ack()
	}
	wg.Wait()
	return nil
}

// addNotice appends a reminder to the patron's notice list shown in the app.
func (s Sender) addNotice(st *edgekv.Store, job Job) {
	key := fmt.Sprintf("patron:%s:notices", job.Card)
	var list []Notice
	if _, err := st.GetJSON(key, &list); err != nil {
		log.Printf("notices %s: %v", job.Card, err)
		return
	}
	list = append(list, Notice{At: time.Now().UTC(), Kind: "due-soon", Title: job.Title})
	if len(list) > 50 {
		list = list[len(list)-50:]
	}
	if err := st.PutJSON(key, list, 30*24*time.Hour); err != nil { // EXPECT kvrace
		log.Printf("notices %s: %v", job.Card, err)
	}
}

func (s Sender) send(job Job) error {
	payload := map[string]any{
		"from":    "no-reply@riverside-libraries.example",
		"to":      job.Email,
		"subject": fmt.Sprintf("Due %s: %s", job.Due.Format("Mon 2 Jan"), job.Title),
		"text":    fmt.Sprintf("Your loan of %q is due back on %s. Renew online or at any branch.", job.Title, job.Due.Format("Monday 2 January")),
	}
	b, _ := json.Marshal(payload)
	res, err := s.HTTP.Post(s.Mail, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("mail api: %s", res.Status)
	}
	return nil
}
