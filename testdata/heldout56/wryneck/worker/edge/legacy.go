//go:build js && wasm

package edge

// legacyFooterURL is the footer template the pre-2023 campaigns were
// rendered with; it is still served for archived issues.
const legacyFooterURL = "https://wryneck.example/templates/legacy/footer.html?utm_source=newsletter&utm_medium=email&utm_campaign=legacy-footer-migration&locale=en-GB&fallback_locales=en-US,en,de-DE,de,fr-FR,fr,es-ES,es,it-IT,it,nl-NL,nl,pt-PT,pt,pl-PL,pl,sv-SE,sv,da-DK,da,fi-FI,fi,nb-NO,nb&variant=compact&dark_mode=auto&logo=https%3A%2F%2Fassets.wryneck.example%2Fbrand%2Flogo-wordmark-2x.png&legal=https%3A%2F%2Fwryneck.example%2Flegal%2Fimprint&privacy=https%3A%2F%2Fwryneck.example%2Flegal%2Fprivacy&address=Wryneck%20Mail%20GmbH%2C%20Musterstrasse%201%2C%2010115%20Berlin%2C%20Germany"
