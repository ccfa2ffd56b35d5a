package llm.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import llm.formats.AtomicFile;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The figure of Book §5.2 (figure 5.12): training and validation loss against tokens seen, drawn with XChart
 * and written as a PNG (atomically, like every file the training writes). {@link #writeCurves} draws any such
 * figure (chapter 6's accuracy per epoch).
 */
public final class LossPlot {
    private LossPlot() {}

    /** Draws {@code history} into {@code png}; does nothing when there is nothing to draw. */
    public static void write(Path png, List<Trainer.Evaluation> history, String title) throws IOException {
        List<Double> tokens = new ArrayList<>(), train = new ArrayList<>(), valTokens = new ArrayList<>(), val = new ArrayList<>();
        for (Trainer.Evaluation e : history) {
            if (!Double.isNaN(e.trainLoss())) {
                tokens.add((double) e.tokensSeen());
                train.add(e.trainLoss());
            }
            if (!Double.isNaN(e.valLoss())) {
                valTokens.add((double) e.tokensSeen());
                val.add(e.valLoss());
            }
        }
        if (tokens.isEmpty() && valTokens.isEmpty()) return;
        writeCurves(png, title, "Tokens seen", "Loss",
                List.of(new Curve("Training loss", tokens, train, false), new Curve("Validation loss", valTokens, val, true)));
    }

    /** One line of a figure; a dashed one is drawn for validation figures, as in the book. */
    public record Curve(String name, List<Double> x, List<Double> y, boolean dashed) {}

    /** Draws the non-empty {@code curves} against a shared x axis into {@code png} (atomically). */
    public static void writeCurves(Path png, String title, String xTitle, String yTitle, List<Curve> curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(4);
        for (Curve c : curves) {
            if (c.x().isEmpty()) continue;
            XYSeries s = chart.addSeries(c.name(), c.x(), c.y());
            s.setMarker(SeriesMarkers.NONE);
            if (c.dashed()) {
                s.setLineStyle(new java.awt.BasicStroke(2f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            }
        }
        byte[] image = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFile.write(png, image);
    }
}
