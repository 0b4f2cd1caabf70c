// Command ingestd consumes device MQTT traffic and maintains the fleet's KV
// records. It also runs the periodic jobs.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/tidewater-iot/cuckoo/internal/alarms"
	"github.com/tidewater-iot/cuckoo/internal/fleet"
	"github.com/tidewater-iot/cuckoo/internal/jobs"
	"github.com/tidewater-iot/cuckoo/internal/kvstore"
	"github.com/tidewater-iot/cuckoo/internal/mqttbus"
	"github.com/tidewater-iot/cuckoo/internal/ota"
	"github.com/tidewater-iot/cuckoo/internal/provisioning"
	"github.com/tidewater-iot/cuckoo/internal/telemetry"
)

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("FLEET_KV_NAMESPACE"))

	ing := telemetry.New(ns, log, envDuration("ACK_WINDOW", 20*time.Second))
	eval := alarms.NewEvaluator(ns, log)
	shadows := alarms.NewShadows(ns, log)
	tracker := ota.NewTracker(ns, log)
	prov := provisioning.NewService(ns, log)

	ratio, _ := strconv.ParseFloat(env("ROLLOUT_MAX_FAIL_RATIO", "0.2"), 64)
	runner, err := jobs.New(ns, tracker, ing, jobs.Config{
		SweepEvery:     envDuration("SWEEP_EVERY", 5*time.Minute),
		OfflineAfter:   envDuration("OFFLINE_AFTER", 30*time.Minute),
		GuardEvery:     envDuration("GUARD_EVERY", 2*time.Minute),
		MaxFailRatio:   ratio,
		AuditCron:      env("AUDIT_CRON", "30 3 * * *"),
		GuardPageLimit: 5,
	}, log)
	if err != nil {
		log.Error("scheduler", "err", err)
		os.Exit(1)
	}

	routes := []mqttbus.Route{
		{Filter: fleet.TopicTelemetry, QoS: 1, Handler: mqttbus.Fanout(ing.HandleTelemetry, eval.HandleTelemetry)},
		{Filter: fleet.TopicStatus, QoS: 1, Handler: ing.HandleStatus},
		{Filter: fleet.TopicEvents, QoS: 0, Handler: ing.HandleEvents},
		{Filter: fleet.TopicShadow, QoS: 1, Handler: shadows.HandleReported},
		{Filter: fleet.TopicOTA, QoS: 1, Handler: tracker.HandleProgress},
		{Filter: fleet.TopicClaim, QoS: 1, Handler: prov.HandleClaim},
		{Filter: "devices/+/rotate", QoS: 1, Handler: prov.HandleRotate},
	}
	fallback := func(_ mqtt.Client, m mqtt.Message) {
		log.Warn("unrouted message", "topic", m.Topic(), "bytes", len(m.Payload()))
		dev, err := fleet.DeviceFromTopic(m.Topic())
		if err != nil {
			return
		}
		rec, _ := json.Marshal(map[string]any{"topic": m.Topic(), "at": time.Now().UTC()})
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_ = ns.Put(wctx, "unrouted:"+dev, rec, time.Hour)
	}
	client, err := mqttbus.Connect(mqttbus.Options{
		Broker:   env("MQTT_BROKER", "tcp://localhost:1883"),
		ClientID: env("MQTT_CLIENT_ID", "ingestd"),
		Username: os.Getenv("MQTT_USERNAME"),
		Password: os.Getenv("MQTT_PASSWORD"),
	}, routes, fallback, log)
	if err != nil {
		log.Error("mqtt", "err", err)
		os.Exit(1)
	}
	runner.Start()
	log.Info("ingestd running", "namespace", ns.ID())

	<-ctx.Done()
	log.Info("shutting down")
	client.Disconnect(2000)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := runner.Shutdown(sctx); err != nil {
		log.Error("scheduler shutdown", "err", err)
	}
}
