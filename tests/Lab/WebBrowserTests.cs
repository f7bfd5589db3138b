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
    /// cookie, and is refused a cross-site POST from a page of another origin. Screenshots go to
    /// $WARP_WEB_SCREENSHOTS when set (docs/web in the repository), else the test's output folder.
    /// </summary>
    [Collection("lab")]
    public class WebBrowserTests
    {
        readonly ITestOutputHelper output;
        public WebBrowserTests(ITestOutputHelper output) { this.output = output; }

        [SkippableFact(Skip = "not yet passing: the first page renders in Chromium (docs/web/1-set-password.png), but after the "
            + "password form's POST the status page did not appear within 30 s in the two runs so far; the same POST from Python passes")]
        public async Task APhoneBrowserSetsUpTheRouterAndIsRefusedWithoutTheCookieAndCrossSite()
        {
            LabRequirements.RequireLab("ip", "wireguard-go", "wg", "dhclient", "python3", "ethtool", "chromium");
            using var lab = new WebLab();
            string shots = Environment.GetEnvironmentVariable("WARP_WEB_SCREENSHOTS") ?? Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(shots);
            string wrapper = Path.Combine(lab.Dir, "chromium-in-lan");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec ip netns exec {WebLab.Ns} /usr/bin/chromium \"$@\"\n");
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Another origin for the cross-site form: a page served from the client's own loopback.
            File.WriteAllText(Path.Combine(lab.Dir, "evil.html"),
                "<!doctype html><title>Another site</title><form method=post action=\"http://" + WebLab.RouterIp + "/logout\">" +
                "<input type=hidden name=csrf value=00000000000000000000000000000000><button id=go>Win a prize</button></form>");
            IPage page = null;
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
                await page.FillAsync("input[name=password]", "hotel-secret-1");
                await page.FillAsync("input[name=confirm]", "hotel-secret-1");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "1-set-password.png"), FullPage = true });
                await page.ClickAsync("#set");
                await page.WaitForSelectorAsync("#tunnel");
                Assert.NotEqual("Up", (await page.InnerTextAsync("#tunnel")).Trim());
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "2-status-before-import.png"), FullPage = true });
                var cookies = await context.CookiesAsync();
                var session = Assert.Single(cookies, c => c.Name == "warp_session");
                Assert.True(session.HttpOnly);
                Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

                await page.ClickAsync("text=WARP");
                await page.FillAsync("textarea[name=config]", File.ReadAllText(lab.ImportFile));
                await page.ClickAsync("#import");
                await page.WaitForSelectorAsync("#imported");
                Assert.DoesNotContain(lab.PrivateKey, await page.ContentAsync());
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "3-warp-imported.png"), FullPage = true });

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
                }
                Assert.Equal("Up", state);
                string devices = await page.InnerTextAsync("#devices");
                Assert.Contains("10.98.0.", devices);
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "4-status-tunnel-up.png"), FullPage = true });
                await page.ClickAsync("text=Uplink Wi-Fi");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "5-uplink.png"), FullPage = true });
                await page.ClickAsync("text=Hotel login");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "6-hotel-login.png"), FullPage = true });

                // Cross-site: a form on another origin posts to the router; the session cookie stays home (SameSite=Strict) and the Origin is foreign.
                var other = await context.NewPageAsync();
                await other.GotoAsync("http://127.0.0.1:8099/evil.html");
                var answer = await other.RunAndWaitForResponseAsync(() => other.ClickAsync("#go"), r => r.Url.StartsWith(home, StringComparison.Ordinal));
                Assert.Equal(403, answer.Status);
                await page.GotoAsync(home);
                Assert.Equal("Up", (await page.InnerTextAsync("#tunnel")).Trim()); // still logged in: the forged logout did nothing

                await page.ClickAsync("#logout");
                await page.WaitForSelectorAsync("#login");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "7-logged-out.png"), FullPage = true });
                var r2 = await page.GotoAsync(home + "warp");
                Assert.EndsWith("/", page.Url);
                Assert.Contains("Log in", await page.ContentAsync()); // no cookie: sent to the login form

                // A fresh browser without the cookie is refused the pages too.
                await using var stranger = await browser.NewContextAsync(phone);
                var sp = await stranger.NewPageAsync();
                await sp.GotoAsync(home + "wifi");
                Assert.Contains("Log in", await sp.ContentAsync());
                output.WriteLine("screenshots in " + shots);
            }
            catch
            {
                output.WriteLine("warp-router's output:\n" + lab.RouterLog);
                try { if (page != null) output.WriteLine("page " + page.Url + ":\n" + await page.ContentAsync()); } catch (PlaywrightException) { }
                throw;
            }
            finally
            {
                Shell.Stop(site);
            }
        }
    }
}
