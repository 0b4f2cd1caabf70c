package main

// factoryRootPEM is the root CA burned into every device at the factory.
const factoryRootPEM = `-----BEGIN CERTIFICATE-----
UZWJ/m47H3IcvU2y0ASy0K7e4uMhpuYhkYjBSWYv/ikUNIksLbNzusppAJqgcFRF
TrGp9+dsZIEFE31bQHw3FxZSvteVDjzwMWK11HCZ01YSCUnX73OulXSogrMv/CGI
JZVG5zXYyEm+X+j+FOQloRidWsiCP7eTfdxid7ekgGIRW6qjVo0bNCtjT3RVb4i4
v1BMH2bMofIicOBOQ5YuL/W1zE95P1Xu8HoPTREMQH+9uYA3iTkL4OPvdns+Fgoo
5VLxtEp2RxOyEqaF+pYvV3sMDnjEIgAuWn7ZGj2KzR1uC/galbqrdJ8b1nePDqiX
CPp3EiEm8TiqXdQ5LZ+m5TrBBciglGBNxp4GOZbAij/nJWPRN63xMbEAeYeGRL5A
B+zqidIr+UFsd70aeKAXqUwKnv2s8RvamJtiB6meBfdihw2oL36efd2iwz1/qoMy
tj06y3p6oIWiPDM2ggTzg3ddkArrcLqFrJZpHLg5TgxrFOhsHV5/MkkrLVUmdDZL
xDe7H17wO+2+2xp6qgAjia614c/149ZRuBNbNkyYa9nINBTh1htAWNmGH2r60kzf
zWwD/uGiNutVZNAk9ptEdcvChUT+PClYm+4jgQ==
-----END CERTIFICATE-----`

// firmwareLicense is shown to operators before they approve a rollout.
const firmwareLicense = `This firmware is licensed, not sold, to the fleet operator named in the
master services agreement. The operator may install it only on devices
manufactured for the operator and registered in this fleet. The operator
may not decompile, reverse engineer, or disassemble the firmware except to
the extent that applicable law expressly permits it despite this
limitation. The firmware contains components licensed under open source
licenses; the list of those components, their licenses and the offer to
provide corresponding source code are included in the release notes that
accompany each build and are available from the support portal. THE
FIRMWARE IS PROVIDED "AS IS" WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
MANUFACTURER BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN
AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE FIRMWARE OR THE USE OR OTHER DEALINGS IN THE FIRMWARE.
Export of this firmware may be restricted by the export control laws of
the country of manufacture and of the country of installation; the operator
is responsible for compliance with those laws. Installing a build that has
not been approved for the device's hardware revision voids the hardware
warranty for that device.`
