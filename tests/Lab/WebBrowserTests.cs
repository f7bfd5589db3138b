using System;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Playwright;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The setup page in a real browser: Debian's headless chromium driven by Microsoft.Playwright,
    /// running in the LAN client's namespace (a wrapper execs /usr/bin/chromium there; Playwright's
    /// own browser download is never used). At phone width it sets the admin password, imports a
    /// config, sees the tunnel come up and the device list, logs out, is refused without the
    /// cookie, and is refused a cross-site POST from a page of another origin. A screenshot of each
    /// page goes to $WARP_WEB_SCREENSHOTS when set (README's are docs/screenshots), else to the
    /// test's output folder. Skipped only where the lab cannot run; under CI=true a missing
    /// /usr/bin/chromium fails (build/test.sh installs Debian's chromium).
    /// </summary>
    [Collection("lab")]
    public class WebBrowserTests
    {
        readonly ITestOutputHelper output;
        public WebBrowserTests(ITestOutputHelper output) { this.output = output; }

        /// <summary>Debian's chromium; Playwright is pointed at it (ExecutablePath, through the namespace wrapper) and downloads nothing.</summary>
        const string Chromium = "/usr/bin/chromium";

        [SkippableFact]
        public async Task APhoneBrowserSetsUpTheRouterAndIsRefusedWithoutTheCookieAndCrossSite()
        {
            LabRequirements.RequireLab("ip", "wireguard-go", "wg", "dhclient", "python3", "ethtool", "tcpdump", Chromium);
            using var lab = new WebLab();
            string shots = Environment.GetEnvironmentVariable("WARP_WEB_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(shots);
            string wrapper = Path.Combine(lab.Dir, "chromium-in-lan");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec ip netns exec {WebLab.Ns} {Chromium} \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Another origin for the cross-site form: a page served from the client's own loopback.
            File.WriteAllText(Path.Combine(lab.Dir, "evil.html"),
                "<!doctype html><title>Another site</title><form method=post action=\"http://" + WebLab.RouterIp + "/logout\">" +
                "<input type=hidden name=csrf value=00000000000000000000000000000000><button id=go>Win a prize</button></form>");
            IPage page = null;
            // The port-80 conversation as the client sees it, printed when the test fails.
            Process capture = Shell.Start($"ip netns exec {WebLab.Ns} tcpdump -i {WebLab.ClientDev} -nn -U -w {lab.Dir}/web.pcap tcp port 80 2>/dev/null");
            Thread.Sleep(500);
            Process site = Shell.Start($"ip netns exec {WebLab.Ns} /usr/bin/python3 -m http.server 8099 --bind 127.0.0.1 --directory {lab.Dir}");
            try
            {
                using var pw = await Playwright.CreateAsync();
                await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = wrapper, Headless = true });
                var phone = new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, DeviceScaleFactor = 2, IsMobile = true, HasTouch = true };
                await using var context = await browser.NewContextAsync(phone);
                page = await context.NewPageAsync();
                string home = "http://" + WebLab.RouterIp + "/";

                await page.GotoAsync(home);
                Assert.Contains("Set the admin password", await page.ContentAsync());
                await Shot(page, shots, "1-first-visit");
                await page.FillAsync("input[name=password]", "hotel-secret-1");
                await page.FillAsync("input[name=confirm]", "hotel-secret-1");
                await page.ClickAsync("#set");
                await page.WaitForSelectorAsync("#tunnel");
                Assert.NotEqual("Up", (await page.InnerTextAsync("#tunnel")).Trim());
                await Shot(page, shots, "2-status-before-import");
                var cookies = await context.CookiesAsync();
                var session = Assert.Single(cookies, c => c.Name == "warp_session");
                Assert.True(session.HttpOnly);
                Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

                await page.ClickAsync("nav a[href='/wifi']");
                await page.WaitForSelectorAsync("#uplink");
                await Shot(page, shots, "3-uplink-wifi");

                // WARP: a broken file first (its line errors shown), then the right one.
                await page.ClickAsync("nav a[href='/warp']");
                await page.FillAsync("textarea[name=config]", "[Interface]\nPrivateKey = nonsense\n[Peer]\nEndpoint = x\n");
                await page.ClickAsync("#import");
                await page.WaitForSelectorAsync("#errors");
                Assert.Contains("line 2", await page.InnerTextAsync("#errors"));
                await Shot(page, shots, "4-warp-import-line-errors");
                await page.FillAsync("textarea[name=config]", File.ReadAllText(lab.ImportFile));
                await page.ClickAsync("#import");
                await page.WaitForSelectorAsync("#imported");
                Assert.DoesNotContain(lab.PrivateKey, await page.ContentAsync());

                string state = "";
                for (int i = 0; i < 60 && state != "Up"; i++)
                {
                    Thread.Sleep(500);
                    try
                    {
                        await page.GotoAsync(home);
                        state = (await page.InnerTextAsync("#tunnel")).Trim();
                    }
                    catch (PlaywrightException) { } // the router restarting with the new config
                    catch (TimeoutException) { }
                }
                Assert.Equal("Up", state);
                string devices = await page.InnerTextAsync("#devices");
                Assert.Contains("10.98.0.", devices);
                await Shot(page, shots, "5-status-tunnel-up");
                await page.ClickAsync("nav a[href='/warp']");
                await page.WaitForSelectorAsync("textarea[name=config]");
                Assert.DoesNotContain(lab.PrivateKey, await page.ContentAsync());
                await Shot(page, shots, "6-warp");
                await page.ClickAsync("nav a[href='/portal']");
                await page.WaitForSelectorAsync("#portal");
                await Shot(page, shots, "7-hotel-login");

                // Cross-site: a form on another origin posts to the router; the session cookie stays home (SameSite=Strict) and the Origin is foreign.
                var other = await context.NewPageAsync();
                await other.GotoAsync("http://127.0.0.1:8099/evil.html");
                var answer = await other.RunAndWaitForResponseAsync(() => other.ClickAsync("#go"), r => r.Url.StartsWith(home, StringComparison.Ordinal));
                Assert.Equal(403, answer.Status);
                await page.GotoAsync(home);
                Assert.Equal("Up", (await page.InnerTextAsync("#tunnel")).Trim()); // still logged in: the forged logout did nothing

                await page.ClickAsync("#logout");
                await page.WaitForSelectorAsync("#login");
                Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "warp_session" && c.Value == session.Value);
                await Shot(page, shots, "8-login");
                await page.GotoAsync(home + "warp");
                Assert.EndsWith("/", page.Url);
                Assert.Contains("Log in", await page.ContentAsync()); // no session: sent to the login form

                // A fresh browser without the cookie is refused the pages too.
                await using var stranger = await browser.NewContextAsync(phone);
                var sp = await stranger.NewPageAsync();
                await sp.GotoAsync(home + "wifi");
                Assert.EndsWith("/", sp.Url);
                Assert.Contains("Log in", await sp.ContentAsync());
                Assert.DoesNotContain("textarea", await sp.ContentAsync());
                output.WriteLine("screenshots in " + shots);
            }
            catch
            {
                output.WriteLine("warp-router's output:\n" + lab.RouterLog);
                Shell.Stop(capture, true);
                output.WriteLine("port 80 as the client saw it:\n" + Shell.Run($"tcpdump -nn -r {lab.Dir}/web.pcap 2>/dev/null | tail -n 200", 20000, false));
                try { if (page != null) output.WriteLine("page " + page.Url + ":\n" + await page.ContentAsync()); } catch (PlaywrightException) { }
                throw;
            }
            finally
            {
                Shell.Stop(site);
                Shell.Stop(capture, true);
            }
        }

        static Task Shot(IPage page, string folder, string name) =>
            page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
