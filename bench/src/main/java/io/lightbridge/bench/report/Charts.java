package io.lightbridge.bench.report;

import io.lightbridge.bench.measure.Figure;
import io.lightbridge.bench.measure.Run;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The three PNG charts of a scenario, drawn headless with JFreeChart. */
public final class Charts {

    private static final int WIDTH = 1100;
    private static final int HEIGHT = 620;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /** Writes the charts the scenario has data for; returns their file names. */
    public static List<String> write(ScenarioReport report, Path dir) throws IOException {
        var written = new ArrayList<String>();
        if (report.figures().stream().anyMatch(f -> f.phase().equals("closed"))) {
            written.add(save(throughput(report), dir, report.name() + "-throughput.png"));
        }
        if (report.runs().stream().anyMatch(r -> r.load().histogram() != null)) {
            written.add(save(percentileCurves(report), dir, report.name() + "-latency-percentiles.png"));
        }
        if (report.figures().stream().filter(f -> f.phase().equals("open")).count() > 1) {
            written.add(save(latencyVsLoad(report), dir, report.name() + "-latency-vs-load.png"));
        }
        return written;
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private static String save(JFreeChart chart, Path dir, String name) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        var plot = chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
        } else if (plot instanceof org.jfree.chart.plot.CategoryPlot cat) {
            cat.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
        ChartUtils.saveChartAsPNG(dir.resolve(name).toFile(), chart, WIDTH, HEIGHT);
        return name;
    }

    private static JFreeChart throughput(ScenarioReport report) {
        var data = new DefaultCategoryDataset();
        for (Figure f : report.figures()) {
            if (f.phase().equals("closed")) {
                data.addValue(f.throughput().median(), f.connections() + " connections", f.target());
            }
        }
        return ChartFactory.createBarChart(report.name() + ": closed-loop throughput (median of "
                        + report.figures().getFirst().throughput().n() + " runs)", null, "requests / s", data,
                PlotOrientation.HORIZONTAL, true, false, false);
    }

    /**
     * Latency by percentile at the lowest offered load ≥ 50 % of each target's peak, all repetitions merged.
     * The x axis is 1/(1 − p) on a log scale, so 90 %, 99 %, 99.9 % are evenly spaced.
     */
    private static JFreeChart percentileCurves(ScenarioReport report) {
        double pct = report.runs().stream().filter(r -> r.phase().equals("open"))
                .mapToDouble(Run::percentOfPeak).filter(p -> p >= 50).min().orElse(0);
        var data = new XYSeriesCollection();
        for (String target : targets(report)) {
            Histogram merged = null;
            for (Run r : report.runs()) {
                if (r.target().equals(target) && r.phase().equals("open") && r.percentOfPeak() == pct) {
                    Histogram h = r.load().decodedHistogram();
                    if (merged == null) {
                        merged = h;
                    } else {
                        merged.add(h);
                    }
                }
            }
            if (merged == null) {
                continue;
            }
            var series = new XYSeries(target);
            for (HistogramIterationValue v : merged.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p >= 0.99999) {
                    break;
                }
                series.add(1 / (1 - p), v.getValueIteratedTo() / 1000.0);
            }
            series.add(1 / (1 - 0.99999), merged.getMaxValue() / 1000.0);
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(report.name() + ": latency by percentile at "
                        + (int) pct + " % of each target's peak (constant rate, no coordinated omission)",
                "percentile", "latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        var x = new LogAxis("percentile");
        x.setNumberFormatOverride(new PercentileFormat());
        x.setBase(10);
        x.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(1)); // one tick per nine: 90 %, 99 %, 99.9 % …
        plot.setDomainAxis(x);
        plot.setRangeAxis(logMillis());
        var renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        return chart;
    }

    private static JFreeChart latencyVsLoad(ScenarioReport report) {
        var data = new XYSeriesCollection();
        for (String target : targets(report)) {
            var p99 = new XYSeries(target + " p99");
            var p50 = new XYSeries(target + " p50");
            for (Figure f : report.figures()) {
                if (f.target().equals(target) && f.phase().equals("open")) {
                    p99.add(f.offered().median(), f.p99().median() / 1000.0);
                    p50.add(f.offered().median(), f.p50().median() / 1000.0);
                }
            }
            if (!p99.isEmpty()) {
                data.addSeries(p99);
                data.addSeries(p50);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(report.name() + ": latency vs offered load (25–200 % of each peak)",
                "offered requests / s", "latency (ms)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        var renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[(i / 2) % PALETTE.length]); // a target's p99 and p50 share a colour
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            if (i % 2 == 1) {
                renderer.setSeriesStroke(i, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                        new float[] {6, 4}, 0));
            }
        }
        plot.setRenderer(renderer);
        plot.setRangeAxis(logMillis());
        return chart;
    }

    private static LogAxis logMillis() {
        var y = new LogAxis("latency (ms)");
        y.setBase(10);
        y.setSmallestValue(0.01);
        y.setNumberFormatOverride(new DecimalFormat("0.###"));
        return y;
    }

    private static List<String> targets(ScenarioReport report) {
        var set = new LinkedHashSet<String>();
        report.runs().forEach(r -> set.add(r.target()));
        return List.copyOf(set);
    }

    /** Labels x = 1/(1 − p) as the percentile p. */
    private static final class PercentileFormat extends NumberFormat {
        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            double p = 100 * (1 - 1 / x);
            return to.append(new DecimalFormat("0.###").format(p)).append('%');
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("axis labels are only formatted");
        }
    }
}
