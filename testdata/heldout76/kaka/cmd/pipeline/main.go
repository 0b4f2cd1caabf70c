// Command pipeline runs the delivery-event pipeline described by a JSON
// config: a list of processors, an output, and the cache and rate-limit
// resources they refer to.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/postmarkly/kaka/internal/collector"
	"github.com/postmarkly/kaka/internal/components"
	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

type componentConf struct {
	Type   string         `json:"type"`
	Name   string         `json:"name"`
	Config map[string]any `json:"config"`
}

type pipelineConf struct {
	Namespaces map[string]string `json:"namespaces"`
	Caches     []componentConf   `json:"caches"`
	Processors []componentConf   `json:"processors"`
	Output     componentConf     `json:"output"`
	Exporters  []string          `json:"exporters"`
}

type host struct{ res *service.Resources }

func (h host) Namespace(name string) (*kvstore.Namespace, bool) {
	v, ok := h.res.Get("kv:" + name)
	if !ok {
		return nil, false
	}
	ns, ok := v.(*kvstore.Namespace)
	return ns, ok
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: pipeline <config.json>")
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var conf pipelineConf
	if err := json.Unmarshal(raw, &conf); err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	res := service.NewResources()
	for name, id := range conf.Namespaces {
		ns, err := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), id, name)
		if err != nil {
			log.Fatal(err)
		}
		res.Set("kv:"+name, ns)
	}

	env := service.NewEnvironment()
	if err := components.Register(env); err != nil {
		log.Fatal(err)
	}
	for _, c := range conf.Caches {
		cache, err := env.NewCache(c.Type, c.Config, res)
		if err != nil {
			log.Fatal(err)
		}
		res.Set("cache:"+c.Name, cache)
	}
	var procs []service.BatchProcessor
	for _, p := range conf.Processors {
		bp, err := env.NewBatchProcessor(p.Type, p.Config, res)
		if err != nil {
			log.Fatal(err)
		}
		procs = append(procs, bp)
	}
	out, err := env.NewOutput(conf.Output.Type, conf.Output.Config, res)
	if err != nil {
		log.Fatal(err)
	}

	factories, err := collector.MakeFactories(collector.EventLogFactory{Host: host{res}}, collector.FeedbackFactory{Host: host{res}})
	if err != nil {
		log.Fatal(err)
	}
	var exporters []collector.LogsExporter
	for _, typ := range conf.Exporters {
		exp, err := factories.Build(ctx, typ, func(c collector.Config) {
			switch c := c.(type) {
			case *collector.EventLogConfig:
				c.Namespace = "events"
			case *collector.FeedbackConfig:
				c.Namespace = "suppressions"
			}
		})
		if err != nil {
			log.Fatal(err)
		}
		exporters = append(exporters, exp)
	}

	src := newKafkaSource(os.Getenv("KAFKA_BROKERS"), "delivery-events")
	for ctx.Err() == nil {
		batch, logs, err := src.Next(ctx)
		if err != nil {
			log.Printf("source: %v", err)
			continue
		}
		if err := run(ctx, procs, out, batch); err != nil {
			log.Printf("pipeline: %v", err)
			continue
		}
		for _, e := range exporters {
			if err := e.ConsumeLogs(ctx, logs); err != nil {
				log.Printf("exporter: %v", err)
			}
		}
	}
}

func run(ctx context.Context, procs []service.BatchProcessor, out service.Output, batch service.MessageBatch) error {
	batches := []service.MessageBatch{batch}
	for _, p := range procs {
		var next []service.MessageBatch
		for _, b := range batches {
			res, err := p.ProcessBatch(ctx, b)
			if err != nil {
				return err
			}
			next = append(next, res...)
		}
		batches = next
	}
	if len(batches) == 0 {
		return nil
	}
	if err := out.WriteBatch(ctx, batches[0]); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}
